package dev.ruta.balancer.status;

import dev.ruta.balancer.balancing.RoutingTable;
import dev.ruta.balancer.discovery.DiscoveryLifecycle;
import dev.ruta.balancer.discovery.InstanceSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * "discovery": DOWN until the table is complete (both of the source's watches have answered
 * once), so a balancer never says ready on half a catalog. Afterwards an unreachable or
 * refusing Consul shows in the data (seconds since its last answer, the error) but the balancer
 * stays ready: it routes on the last complete table, which is better than routing nothing.
 */
@Readiness
@ApplicationScoped
public class DiscoveryReadinessCheck implements HealthCheck {

    private final DiscoveryLifecycle discovery;
    private final RoutingTable table;

    @Inject
    public DiscoveryReadinessCheck(DiscoveryLifecycle discovery, RoutingTable table) {
        this.discovery = discovery;
        this.table = table;
    }

    @Override
    public HealthCheckResponse call() {
        Optional<Instant> lastAnswer = discovery.source().flatMap(InstanceSource::lastAnswer);
        HealthCheckResponseBuilder response = HealthCheckResponse.named("discovery").status(lastAnswer.isPresent());
        lastAnswer.ifPresent(at -> response.withData("secondsSinceConsulAnswered",
                Duration.between(at, Instant.now()).toSeconds()));
        discovery.source().flatMap(InstanceSource::lastError).ifPresent(error -> response.withData("consulError", error));
        table.all().values().forEach(route -> response.withData(route.service(),
                route.upstreams().size() + " instances at index " + route.consulIndex()));
        return response.build();
    }
}
