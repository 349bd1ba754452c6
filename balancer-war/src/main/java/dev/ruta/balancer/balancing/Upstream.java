package dev.ruta.balancer.balancing;

import dev.ruta.balancer.discovery.Instance;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One instance as the balancer uses it: the client that reaches it, and what happened to the
 * requests sent there. Lives while the instance is registered.
 *
 * @param <C> the client type; generic so strategies and tests need no HTTP client
 */
public final class Upstream<C extends AutoCloseable> {

    private final Instance instance;
    private final C client;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<Instant> ejectedUntil = new AtomicReference<>(Instant.MIN);

    public Upstream(Instance instance, C client) {
        this.instance = instance;
        this.client = client;
    }

    public Instance instance() {
        return instance;
    }

    public C client() {
        return client;
    }

    public void started() {
        requests.incrementAndGet();
        inFlight.incrementAndGet();
    }

    public void finished(boolean failed) {
        inFlight.decrementAndGet();
        if (failed) {
            failures.incrementAndGet();
        }
    }

    /** Out of the rotation until then, whatever the registry says meanwhile. */
    public void ejectUntil(Instant until) {
        ejectedUntil.accumulateAndGet(until, (current, proposed) -> proposed.isAfter(current) ? proposed : current);
    }

    public boolean isEjected(Instant now) {
        return ejectedUntil.get().isAfter(now);
    }

    public Instant ejectedUntil() {
        return ejectedUntil.get();
    }

    public long requests() {
        return requests.get();
    }

    public long failures() {
        return failures.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    void close() {
        try {
            client.close();
        } catch (Exception e) {
            // The instance is gone; its connections go with it.
        }
    }
}
