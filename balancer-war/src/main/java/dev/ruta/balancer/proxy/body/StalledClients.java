package dev.ruta.balancer.proxy.body;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Watches the answers being relayed, and cuts one whose client has taken nothing of what waits
 * for it for balancer.write-timeout: a client that stops reading without closing would
 * otherwise hold its request's permit and its backlog file for ever.
 */
@ApplicationScoped
public class StalledClients {

    private final long limitNanos;
    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();

    @Resource
    private ManagedThreadFactory threads;
    private ScheduledExecutorService sweeper;

    protected StalledClients() {
        this(Duration.ZERO);
    }

    @Inject
    public StalledClients(@ConfigProperty(name = "balancer.write-timeout") Duration limit) {
        this.limitNanos = limit.toNanos();
    }

    @PostConstruct
    void start() {
        sweeper = Executors.newSingleThreadScheduledExecutor(threads);
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    void watch(Watched relay) {
        watched.add(relay);
    }

    void unwatch(Watched relay) {
        watched.remove(relay);
    }

    private void sweep() {
        long now = System.nanoTime();
        watched.forEach(relay -> relay.cutIfStalled(now, limitNanos));
    }

    /** An answer being relayed, as the sweep sees it. */
    interface Watched {

        /** Cuts the answer if its client has taken nothing for longer than {@code limitNanos}. */
        void cutIfStalled(long now, long limitNanos);
    }
}
