package dev.ruta.balancer.status;

import dev.ruta.balancer.balancing.RoutingTable;
import dev.ruta.balancer.balancing.Upstream;
import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.proxy.exchange.Forwarder;
import dev.ruta.balancer.proxy.exchange.ForwardingObserver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/** MicroProfile Metrics of forwarding, tagged by service and instance; read at /metrics. */
@ApplicationScoped
public class BalancerMetrics implements ForwardingObserver {

    private static final Metadata REQUESTS = described("ruta_upstream_requests",
            "Attempts sent to an instance, retries included", MetricUnits.NONE);
    private static final Metadata FAILURES = described("ruta_upstream_failures",
            "Attempts on an instance that failed: refused, reset, timed out, 502/503/504, broken answer", MetricUnits.NONE);
    /**
     * A histogram of microseconds, its unit in its name: Payara's Prometheus output scales some
     * figures of a timer or of a histogram with a unit to seconds and leaves the others raw
     * (quantiles in nanoseconds beside a sum in seconds); without a unit, every figure is as recorded.
     */
    private static final Metadata REQUEST_TIME = described("ruta_upstream_request_time_microseconds",
            "Time from sending an attempt to the end of its answer, in microseconds", MetricUnits.NONE);
    private static final Metadata RETRIES = described("ruta_retries",
            "Attempts sent to another instance after one failed", MetricUnits.NONE);
    private static final Metadata WEIGHT = described("ruta_upstream_weight",
            "The instance's share of its service's requests relative to the others', from Consul's Weights", MetricUnits.NONE);
    /** Seconds in its name and no unit: see REQUEST_TIME on Payara's scaling of figures with a unit. */
    private static final Metadata ANSWER_TIME = described("ruta_upstream_answer_time_seconds",
            "The instance's peak-sensitive average time to its answers' heads, decaying over balancer.ewma-decay; 0 before any",
            MetricUnits.NONE);
    private static final Metadata SLOW_START_SHARE = described("ruta_upstream_slow_start_share",
            "The share of its requests the instance takes under balancer.slow-start: below 1 while it warms up", MetricUnits.NONE);
    private static final Metadata EJECTIONS = described("ruta_ejections",
            "Times an instance was taken out of the rotation for balancer.eject-for", MetricUnits.NONE);

    private final MetricRegistry registry;
    private final RoutingTable table;
    private final Forwarder forwarder;
    /** The registry's lookup by name and tags costs more than the update: each instance's handles are kept. */
    private final Map<Instance, InstanceMetrics> byInstance = new ConcurrentHashMap<>();
    /** Each instance's weight as last forwarded to, by service and ID: a new weight is a new Instance, the gauge stays. */
    private final Map<String, Integer> weights = new ConcurrentHashMap<>();

    protected BalancerMetrics() {
        this(null, null, null);
    }

    @Inject
    public BalancerMetrics(MetricRegistry registry, RoutingTable table, Forwarder forwarder) {
        this.registry = registry;
        this.table = table;
        this.forwarder = forwarder;
    }

    @Override
    public void requested(Instance instance, Duration took, boolean failed) {
        InstanceMetrics metrics = byInstance.computeIfAbsent(instance, this::register);
        metrics.requests().inc();
        metrics.time().update(took.toNanos() / 1000);
        if (failed) {
            metrics.failures().inc();
        }
    }

    @Override
    public void retried(String service) {
        registry.counter(RETRIES, new Tag("service", service)).inc();
    }

    @Override
    public void ejected(Instance instance) {
        registry.counter(EJECTIONS, tags(instance)).inc();
    }

    private InstanceMetrics register(Instance instance) {
        Tag[] tags = tags(instance);
        String key = instance.service() + '/' + instance.id();
        if (weights.put(key, instance.weight()) == null) {
            registry.gauge(WEIGHT, () -> weights.getOrDefault(key, 0), tags);
            registry.gauge(ANSWER_TIME, () -> upstream(instance)
                    .map(upstream -> Math.max(0, upstream.answerTime().nanos(System.nanoTime())) / 1e9).orElse(0.0), tags);
            registry.gauge(SLOW_START_SHARE, () -> upstream(instance)
                    .map(upstream -> forwarder.slowStartShare(upstream, Instant.now())).orElse(1.0), tags);
        }
        return new InstanceMetrics(registry.counter(REQUESTS, tags), registry.histogram(REQUEST_TIME, tags),
                registry.counter(FAILURES, tags));
    }

    /** The instance as routed now: the gauges follow it across re-registrations of the same ID. */
    private Optional<Upstream> upstream(Instance instance) {
        return table.route(instance.service()).flatMap(route -> route.upstreams().stream()
                .filter(upstream -> upstream.instance().id().equals(instance.id())).findFirst());
    }

    private static Metadata described(String name, String description, String unit) {
        return Metadata.builder().withName(name).withDescription(description).withUnit(unit).build();
    }

    private static Tag[] tags(Instance instance) {
        return new Tag[] {new Tag("service", instance.service()), new Tag("instance", instance.id())};
    }

    private record InstanceMetrics(Counter requests, Histogram time, Counter failures) {
    }
}
