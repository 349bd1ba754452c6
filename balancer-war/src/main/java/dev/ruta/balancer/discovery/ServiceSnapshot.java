package dev.ruta.balancer.discovery;

import java.time.Instant;
import java.util.List;

/**
 * A service's passing instances at one registry index. Immutable: a change produces a new
 * snapshot that replaces this one whole, so a reader never sees half an update.
 */
public record ServiceSnapshot(String service, List<Instance> instances, long index, Instant updatedAt) {

    public ServiceSnapshot {
        instances = List.copyOf(instances);
    }

    public static ServiceSnapshot empty(String service) {
        return new ServiceSnapshot(service, List.of(), 0, Instant.now());
    }
}
