package dev.ruta.balancer.discovery;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Starts following Consul when the application starts, and stops when it stops. Each change is
 * announced as a CDI event; the routing table, a layer up, follows them.
 */
@ApplicationScoped
public class DiscoveryLifecycle implements DiscoveryListener {

    private static final Logger LOG = Logger.getLogger(DiscoveryLifecycle.class.getName());

    @Resource
    private ManagedThreadFactory threads;

    private final Event<ServiceSnapshot> changed;
    private final Event<ServiceRemoved> removed;
    private final URI consulUrl;
    private final Optional<String> token;
    private final String tag;
    private final boolean routeWarning;
    private final Duration wait;
    private final Duration maxRetryDelay;
    private final Duration resync;
    private final Duration resetGrace;
    private volatile InstanceSource source;

    protected DiscoveryLifecycle() {
        this(null, null, null, Optional.empty(), null, false, null, null, null, null);
    }

    @Inject
    public DiscoveryLifecycle(Event<ServiceSnapshot> changed, Event<ServiceRemoved> removed,
                              @ConfigProperty(name = "consul.url") URI consulUrl,
                              @ConfigProperty(name = "consul.token") Optional<String> token,
                              @ConfigProperty(name = "balancer.tag") String tag,
                              @ConfigProperty(name = "balancer.route-warning") boolean routeWarning,
                              @ConfigProperty(name = "consul.watch.wait") Duration wait,
                              @ConfigProperty(name = "consul.retry.max-delay") Duration maxRetryDelay,
                              @ConfigProperty(name = "consul.catalog.resync") Duration resync,
                              @ConfigProperty(name = "consul.reset-grace") Duration resetGrace) {
        this.changed = changed;
        this.removed = removed;
        this.consulUrl = consulUrl;
        this.token = token;
        this.tag = tag;
        this.routeWarning = routeWarning;
        this.wait = wait;
        this.maxRetryDelay = maxRetryDelay;
        this.resync = resync;
        this.resetGrace = resetGrace;
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        source = new ConsulCatalogSource(consulUrl, token, tag, routeWarning, wait, maxRetryDelay, resync, resetGrace, threads);
        LOG.log(Level.INFO, "Following Consul at {0} for services tagged {1}", new Object[] {consulUrl, tag});
        source.start(this);
    }

    /** The source in use; its answers tell the readiness check how fresh the table is. */
    public Optional<InstanceSource> source() {
        return Optional.ofNullable(source);
    }

    @Override
    public void instancesChanged(ServiceSnapshot snapshot) {
        changed.fire(snapshot);
    }

    @Override
    public void serviceRemoved(String service) {
        removed.fire(new ServiceRemoved(service));
    }

    @PreDestroy
    void stop() {
        if (source != null) {
            source.close();
        }
    }
}
