package dev.ruta.balancer.status;

import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.proxy.ForwardingObserver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/** MicroProfile Metrics of forwarding, tagged by service and instance; read at /metrics. */
@ApplicationScoped
public class BalancerMetrics implements ForwardingObserver {

    private final MetricRegistry registry;

    protected BalancerMetrics() {
        this(null);
    }

    @Inject
    public BalancerMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void requested(Instance instance, Duration took, boolean failed) {
        Tag[] tags = tags(instance);
        registry.counter("ruta_upstream_requests", tags).inc();
        registry.timer("ruta_upstream_request_time", tags).update(took);
        if (failed) {
            registry.counter("ruta_upstream_failures", tags).inc();
        }
    }

    @Override
    public void retried(String service) {
        registry.counter("ruta_retries", new Tag("service", service)).inc();
    }

    @Override
    public void ejected(Instance instance) {
        registry.counter("ruta_ejections", tags(instance)).inc();
    }

    private static Tag[] tags(Instance instance) {
        return new Tag[] {new Tag("service", instance.service()), new Tag("instance", instance.id())};
    }
}
