package dev.ruta.balancer.balancing;

/** CDI event: the routing table now shows a change to this service; the status views push it. */
public record RoutingChanged(String service) {
}
