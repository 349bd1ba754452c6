/**
 * Where a request meets the balancer: the asynchronous
 * {@link dev.ruta.balancer.proxy.edge.ProxyServlet} for {@code /api/<service>/...}, the filters in
 * front of every path (the request line's checks, the HTTPS redirect, and putting a filter in
 * place only where it is needed), the limit on requests in flight, what Servlet cannot say about a
 * client's connection, and the WebSocket entry. WebSocketForwarding stands here rather than in a
 * room of its own beside {@code tunnel}: it upgrades the servlet's own request and reaches the
 * client's connection through ClientConnection, so a room of its own would either import this one
 * back or take the edge's connection with it.
 * <p>
 * The top floor of forwarding: it may use every room of {@code proxy} below it ({@code exchange},
 * {@code body}, {@code client}, {@code transport}, {@code tunnel}, {@code http}), and
 * {@code accesslog}, {@code balancing} and {@code error}. Nothing of {@code proxy} imports it;
 * only {@code status} does.
 */
package dev.ruta.balancer.proxy.edge;
