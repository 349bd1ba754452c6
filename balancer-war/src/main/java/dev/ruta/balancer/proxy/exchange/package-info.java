/**
 * One forwarded request's life: the {@link dev.ruta.balancer.proxy.exchange.Forwarder} picks an
 * instance from the routing table, sends the exchange through the REST client, retries elsewhere
 * where safe and ejects an instance that fails; its scope ends it once, whichever path gets there
 * first; its access record says which instance was last tried and how many retries it took; and
 * an observer is told what forwarding did, for metrics.
 * <p>
 * It may use {@code body} (the answer it hands back), {@code client}, {@code transport},
 * {@code balancing}, {@code discovery} and {@code error}; never {@code edge}, which calls it.
 */
package dev.ruta.balancer.proxy.exchange;
