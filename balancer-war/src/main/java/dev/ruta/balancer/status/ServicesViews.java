package dev.ruta.balancer.status;

import dev.ruta.balancer.balancing.Upstream;
import dev.ruta.balancer.discovery.RoutingTable;
import dev.ruta.balancer.discovery.ServiceSnapshot;
import dev.ruta.balancer.proxy.Forwarder;
import dev.ruta.balancer.proxy.Upstreams;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** Builds what /balancer/services and /balancer/events show: the table with each instance's counters. */
@ApplicationScoped
public class ServicesViews {

    private final RoutingTable table;
    private final Upstreams upstreams;
    private final Forwarder forwarder;

    protected ServicesViews() {
        this(null, null, null);
    }

    @Inject
    public ServicesViews(RoutingTable table, Upstreams upstreams, Forwarder forwarder) {
        this.table = table;
        this.upstreams = upstreams;
        this.forwarder = forwarder;
    }

    public ServicesView current() {
        Instant now = Instant.now();
        return new ServicesView(table.all().values().stream()
                .sorted(Comparator.comparing(ServiceSnapshot::service))
                .map(snapshot -> new ServicesView.Service(snapshot.service(), forwarder.strategyName(), snapshot.index(),
                        snapshot.updatedAt(), instances(snapshot.service(), now)))
                .toList());
    }

    private List<ServicesView.InstanceView> instances(String service, Instant now) {
        return upstreams.pool().upstreams(service).stream().map(upstream -> view(upstream, now)).toList();
    }

    private static ServicesView.InstanceView view(Upstream<?> upstream, Instant now) {
        return new ServicesView.InstanceView(upstream.instance().id(), upstream.instance().address(),
                upstream.instance().port(), upstream.instance().message(), upstream.requests(), upstream.failures(),
                upstream.inFlight(), upstream.isEjected(now) ? upstream.ejectedUntil() : null);
    }
}
