package dev.ruta.balancer.discovery;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Every routable service's current snapshot. The whole table is an immutable map swapped
 * atomically, so the request path reads it without locks and never sees null.
 */
@ApplicationScoped
public class RoutingTable {

    private final AtomicReference<Map<String, ServiceSnapshot>> services = new AtomicReference<>(Map.of());

    public Optional<ServiceSnapshot> service(String name) {
        return Optional.ofNullable(services.get().get(name));
    }

    public Map<String, ServiceSnapshot> all() {
        return services.get();
    }

    public void put(ServiceSnapshot snapshot) {
        services.updateAndGet(current -> {
            Map<String, ServiceSnapshot> next = new HashMap<>(current);
            next.put(snapshot.service(), snapshot);
            return Map.copyOf(next);
        });
    }

    public void remove(String service) {
        services.updateAndGet(current -> {
            Map<String, ServiceSnapshot> next = new HashMap<>(current);
            next.remove(service);
            return Map.copyOf(next);
        });
    }
}
