package dev.ruta.balancer.status;

import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.proxy.ForwardingObserver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Timer;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/** MicroProfile Metrics of forwarding, tagged by service and instance; read at /metrics. */
@ApplicationScoped
public class BalancerMetrics implements ForwardingObserver {

    private final MetricRegistry registry;
    /** The registry's lookup by name and tags costs more than the update: each instance's handles are kept. */
    private final Map<Instance, InstanceMetrics> byInstance = new ConcurrentHashMap<>();

    protected BalancerMetrics() {
        this(null);
    }

    @Inject
    public BalancerMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void requested(Instance instance, Duration took, boolean failed) {
        InstanceMetrics metrics = byInstance.computeIfAbsent(instance, this::register);
        metrics.requests().inc();
        metrics.time().update(took);
        if (failed) {
            metrics.failures().inc();
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

    private InstanceMetrics register(Instance instance) {
        Tag[] tags = tags(instance);
        return new InstanceMetrics(registry.counter("ruta_upstream_requests", tags),
                registry.timer("ruta_upstream_request_time", tags), registry.counter("ruta_upstream_failures", tags));
    }

    private static Tag[] tags(Instance instance) {
        return new Tag[] {new Tag("service", instance.service()), new Tag("instance", instance.id())};
    }

    private record InstanceMetrics(Counter requests, Timer time, Counter failures) {
    }
}
