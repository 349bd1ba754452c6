/**
 * The one MicroProfile REST client every instance is called through, and what sits under it: the
 * interface ({@link dev.ruta.balancer.proxy.client.UpstreamClient}) and the bean that builds it,
 * what each call carries (the exchange and its request body), the filter that unpacks it, the
 * project's own Jersey connector over {@code transport}, the exchange threads, the hand-off that
 * skips Payara's telemetry filter's request side, and how the client's failures read as
 * balancing's failures.
 * <p>
 * It may use {@code transport}, {@code balancing} and {@code discovery}; nothing above it
 * ({@code body}, {@code exchange}, {@code edge}). {@code transport} stays beside it rather than
 * under it: the exchange, the bodies and the WebSocket entry use it too, for the handle that
 * aborts a call, answer framing and upgrades.
 */
package dev.ruta.balancer.proxy.client;
