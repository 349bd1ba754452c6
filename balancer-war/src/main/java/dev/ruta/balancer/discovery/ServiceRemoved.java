package dev.ruta.balancer.discovery;

/** CDI event: a service is no longer routed. */
public record ServiceRemoved(String service) {
}
