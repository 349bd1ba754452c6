package dev.ruta.balancer.discovery;

/** CDI event: the routing table now shows a change to this service. */
public record RoutingChanged(String service) {
}
