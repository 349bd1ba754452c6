package dev.ruta.balancer.status;

import dev.ruta.balancer.balancing.RoutingTable;
import dev.ruta.balancer.balancing.ServiceRoute;
import dev.ruta.balancer.balancing.Upstream;
import dev.ruta.balancer.proxy.exchange.Forwarder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Comparator;

/** Builds what /balancer/services and /balancer/events show: the routing table with each instance's counters. */
@ApplicationScoped
public class ServicesViews {

    private final RoutingTable table;
    private final Forwarder forwarder;

    protected ServicesViews() {
        this(null, null);
    }

    @Inject
    public ServicesViews(RoutingTable table, Forwarder forwarder) {
        this.table = table;
        this.forwarder = forwarder;
    }

    public ServicesView current() {
        Instant now = Instant.now();
        return new ServicesView(table.all().values().stream()
                .sorted(Comparator.comparing(ServiceRoute::service))
                .map(route -> new ServicesView.Service(route.service(), forwarder.strategyName(), route.consulIndex(),
                        route.updatedAt(), route.upstreams().stream().map(upstream -> view(upstream, now)).toList()))
                .toList());
    }

    private ServicesView.InstanceView view(Upstream upstream, Instant now) {
        double answerNanos = upstream.answerTime().nanos(System.nanoTime());
        double share = forwarder.slowStartShare(upstream, now);
        return new ServicesView.InstanceView(upstream.instance().id(), upstream.instance().address(),
                upstream.instance().port(), upstream.instance().message(), upstream.instance().weight(),
                upstream.requests(), upstream.failures(), upstream.inFlight(),
                answerNanos < 0 ? null : answerNanos / 1e9, share < 1 ? share : null,
                upstream.isEjected(now) ? upstream.ejectedUntil() : null);
    }
}
