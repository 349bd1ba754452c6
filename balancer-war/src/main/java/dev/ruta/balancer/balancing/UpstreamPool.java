package dev.ruta.balancer.balancing;

import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.discovery.ServiceSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The upstreams of every routed service, following the registry's snapshots: a new instance
 * gets a client, one that stays keeps its client and counters, one that leaves has its client
 * closed. Readers see an immutable map swapped atomically.
 */
public final class UpstreamPool<C extends AutoCloseable> {

    private final Function<Instance, C> clients;
    private final AtomicReference<Map<String, List<Upstream<C>>>> services = new AtomicReference<>(Map.of());

    public UpstreamPool(Function<Instance, C> clients) {
        this.clients = clients;
    }

    public synchronized void sync(ServiceSnapshot snapshot) {
        Map<String, Upstream<C>> existing = new HashMap<>();
        services.get().getOrDefault(snapshot.service(), List.of())
                .forEach(upstream -> existing.put(upstream.instance().id(), upstream));
        List<Upstream<C>> rebuilt = new ArrayList<>();
        for (Instance instance : snapshot.instances()) {
            Upstream<C> kept = existing.remove(instance.id());
            rebuilt.add(kept != null && kept.instance().equals(instance) ? kept : new Upstream<>(instance, clients.apply(instance)));
            if (kept != null && !kept.instance().equals(instance)) {
                kept.retire();
            }
        }
        List<Upstream<C>> upstreams = List.copyOf(rebuilt);
        update(next -> next.put(snapshot.service(), upstreams));
        existing.values().forEach(Upstream::retire);
    }

    public synchronized void remove(String service) {
        List<Upstream<C>> gone = services.get().getOrDefault(service, List.of());
        update(next -> next.remove(service));
        gone.forEach(Upstream::retire);
    }

    public synchronized void closeAll() {
        services.getAndSet(Map.of()).values().forEach(upstreams -> upstreams.forEach(Upstream::retire));
    }

    public List<Upstream<C>> upstreams(String service) {
        return services.get().getOrDefault(service, List.of());
    }

    /**
     * Who may take a request: the instances not yet tried for it and not ejected. When every
     * untried instance is ejected, all of them are candidates again: better a suspect instance
     * than certain failure.
     */
    public List<Upstream<C>> candidates(String service, Set<String> alreadyTried, Instant now) {
        List<Upstream<C>> untried = upstreams(service).stream()
                .filter(upstream -> !alreadyTried.contains(upstream.instance().id()))
                .toList();
        List<Upstream<C>> healthy = untried.stream().filter(upstream -> !upstream.isEjected(now)).toList();
        return healthy.isEmpty() ? untried : healthy;
    }

    private void update(Consumer<Map<String, List<Upstream<C>>>> change) {
        services.updateAndGet(current -> {
            Map<String, List<Upstream<C>>> next = new HashMap<>(current);
            change.accept(next);
            return Map.copyOf(next);
        });
    }
}
