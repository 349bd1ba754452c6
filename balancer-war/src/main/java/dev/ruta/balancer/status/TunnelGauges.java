package dev.ruta.balancer.status;

import dev.ruta.balancer.proxy.edge.WebSocketForwarding;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;

/**
 * The WebSocket tunnels at /metrics: how many are open, and whether the thread that watches
 * their instance sides still goes round (it selects with a 1 s timeout, so a lag beyond a few
 * seconds means it is stuck and no tunnel's instance side is read).
 */
@ApplicationScoped
public class TunnelGauges {

    private static final Metadata OPEN = Metadata.builder().withName("ruta_tunnels_open")
            .withDescription("WebSocket tunnels joined to an instance and not yet closed").withUnit(MetricUnits.NONE).build();
    /** Seconds in its name, no unit: see BalancerMetrics on Payara's scaling of figures with a unit. */
    private static final Metadata LAG = Metadata.builder().withName("ruta_tunnel_watcher_lag_seconds")
            .withDescription("Seconds since the thread that watches the tunnels' instance sides last went round; about 1 at most while it serves")
            .withUnit(MetricUnits.NONE).build();

    @Inject
    MetricRegistry registry;

    @Inject
    WebSocketForwarding tunnels;

    void register(@Observes @Initialized(ApplicationScoped.class) Object started) {
        registry.gauge(OPEN, tunnels::openTunnels);
        registry.gauge(LAG, tunnels::tunnelWatcherLagSeconds);
    }
}
