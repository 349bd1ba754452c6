/**
 * Forwarding: {@code /api/<service>/...} goes unchanged to an instance of that service. An
 * asynchronous servlet hands each request to the forwarder, which picks an instance from the
 * routing table, calls it through the one MicroProfile REST client (asynchronous, on the
 * balancer's own connector over {@code proxy.transport}), retries elsewhere where safe, and
 * streams the answer back with {@code X-Ruta-Instance} naming who answered; an answer the
 * instance breaks off is cut for its client too, never made whole. Request bodies are read whole
 * first and answers wait in a backlog for slow clients, both spilling to disk past 64 KiB, so no
 * client's pace holds a thread or fills the heap. Hop-by-hop headers are dropped and
 * {@code X-Forwarded-*} added; a limit on requests in flight answers 503 beyond it.
 * <p>
 * Its rooms, from the top floor down; each imports only rooms below it:
 * {@code proxy.edge} (the servlet, the filters, the WebSocket entry) → {@code proxy.exchange}
 * (one request's life: the forwarder, retries) → {@code proxy.body} (request and answer bodies at
 * each side's pace) → {@code proxy.client} (the REST client and its connector) →
 * {@code proxy.transport} (HTTP/1.1 to the instances), {@code proxy.tunnel} (bytes both ways after
 * a protocol switch) and {@code proxy.http} (pure HTTP rules). Beneath them, {@code balancing},
 * {@code discovery} and the error answers of {@code dev.ruta.balancer.error}.
 */
package dev.ruta.balancer.proxy;
