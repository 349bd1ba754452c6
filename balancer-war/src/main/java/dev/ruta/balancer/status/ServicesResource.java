package dev.ruta.balancer.status;

import dev.ruta.balancer.balancing.Upstream;
import dev.ruta.balancer.discovery.RoutingTable;
import dev.ruta.balancer.discovery.ServiceSnapshot;
import dev.ruta.balancer.proxy.Forwarder;
import dev.ruta.balancer.proxy.Upstreams;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

@Path("services")
@Produces(MediaType.APPLICATION_JSON)
@ApplicationScoped
public class ServicesResource {

    private final RoutingTable table;
    private final Upstreams upstreams;
    private final Forwarder forwarder;

    protected ServicesResource() {
        this(null, null, null);
    }

    @Inject
    public ServicesResource(RoutingTable table, Upstreams upstreams, Forwarder forwarder) {
        this.table = table;
        this.upstreams = upstreams;
        this.forwarder = forwarder;
    }

    @GET
    public ServicesView services() {
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
