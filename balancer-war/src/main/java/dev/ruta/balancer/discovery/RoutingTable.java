package dev.ruta.balancer.discovery;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

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
        update(next -> next.put(snapshot.service(), snapshot));
    }

    public void remove(String service) {
        update(next -> next.remove(service));
    }

    private void update(Consumer<Map<String, ServiceSnapshot>> change) {
        services.updateAndGet(current -> {
            Map<String, ServiceSnapshot> next = new HashMap<>(current);
            change.accept(next);
            return Map.copyOf(next);
        });
    }
}
