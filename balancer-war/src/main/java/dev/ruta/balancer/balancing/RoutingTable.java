package dev.ruta.balancer.balancing;

import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.discovery.ServiceRemoved;
import dev.ruta.balancer.discovery.ServiceSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The balancer's one routing state: every routed service's route, following the registry's
 * snapshots. An instance that stays keeps its upstream and counters; one whose address
 * changed starts afresh. Forwarding and the status views read the same immutable map, swapped
 * atomically, without locks and never null.
 */
@ApplicationScoped
public class RoutingTable {

    private final AtomicReference<Map<String, ServiceRoute>> routes = new AtomicReference<>(Map.of());
    private final Event<RoutingChanged> changed;
    private final Duration answerDecay;

    protected RoutingTable() {
        this(null, Duration.ofSeconds(10));
    }

    @Inject
    public RoutingTable(Event<RoutingChanged> changed, @ConfigProperty(name = "balancer.ewma-decay") Duration answerDecay) {
        this.changed = changed;
        this.answerDecay = answerDecay;
    }

    void onSnapshot(@Observes ServiceSnapshot snapshot) {
        follow(snapshot);
        changed.fire(new RoutingChanged(snapshot.service()));
    }

    void onRemoved(@Observes ServiceRemoved removed) {
        remove(removed.service());
        changed.fire(new RoutingChanged(removed.service()));
    }

    public Optional<ServiceRoute> route(String service) {
        return Optional.ofNullable(routes.get().get(service));
    }

    public Map<String, ServiceRoute> all() {
        return routes.get();
    }

    /** Writers are the registry's watches, one per service; synchronized keeps their swaps whole. */
    public synchronized void follow(ServiceSnapshot snapshot) {
        Map<String, Upstream> existing = new HashMap<>();
        Optional<ServiceRoute> before = route(snapshot.service());
        before.ifPresent(route -> route.upstreams()
                .forEach(upstream -> existing.put(upstream.instance().id(), upstream)));
        // Instances there when the balancer first sees their service are not joining: no slow start.
        Instant joined = before.isPresent() ? Instant.now() : Instant.MIN;
        List<Upstream> upstreams = new ArrayList<>();
        for (Instance instance : snapshot.instances()) {
            Upstream kept = existing.get(instance.id());
            if (kept != null && kept.instance().equals(instance)) {
                upstreams.add(kept);
            } else {
                // Registered anew (a new weight, say): it joined when it first did.
                upstreams.add(new Upstream(instance, kept != null ? kept.joined() : joined, answerDecay));
            }
        }
        ServiceRoute route = new ServiceRoute(snapshot.service(), upstreams, snapshot.index(), snapshot.updatedAt());
        update(next -> next.put(snapshot.service(), route));
    }

    public synchronized void remove(String service) {
        update(next -> next.remove(service));
    }

    private void update(Consumer<Map<String, ServiceRoute>> change) {
        Map<String, ServiceRoute> next = new HashMap<>(routes.get());
        change.accept(next);
        routes.set(Map.copyOf(next));
    }
}
