/**
 * Forwarding: {@code /api/<service>/...} goes unchanged to an instance of that service. An
 * asynchronous servlet hands each request to the {@link dev.ruta.balancer.proxy.Forwarder},
 * which picks an instance from the routing table, calls it through the one MicroProfile REST
 * client (asynchronous, on the balancer's own connector over {@code proxy.transport}), retries
 * elsewhere where safe, and streams the answer back with {@code X-Ruta-Instance} naming who
 * answered; an answer the instance breaks off is cut for its client too, never made whole.
 * WebSocket handshakes become {@code proxy.tunnel} tunnels; {@code proxy.http} holds the header and
 * path rules, {@code proxy.error} the error answers. Request bodies are read whole
 * first and answers wait in a backlog for slow clients, both spilling to disk past 64 KiB, so
 * no client's pace holds a thread or fills the heap. Hop-by-hop headers are dropped
 * and {@code X-Forwarded-*} added; a limit on requests in flight answers 503 beyond it.
 */
package dev.ruta.balancer.proxy;
