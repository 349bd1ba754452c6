package dev.ruta.balancer.balancing;

import dev.ruta.balancer.discovery.Instance;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One instance as the balancer uses it: what happened to the requests sent there, and whether
 * it is out of the rotation. Lives while the instance is registered with the same address.
 */
public final class Upstream {

    private final Instance instance;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<Instant> ejectedUntil = new AtomicReference<>(Instant.MIN);

    public Upstream(Instance instance) {
        this.instance = instance;
    }

    public Instance instance() {
        return instance;
    }

    public void started() {
        requests.incrementAndGet();
        inFlight.incrementAndGet();
    }

    public void finished(boolean failed) {
        if (failed) {
            failures.incrementAndGet();
        }
        inFlight.decrementAndGet();
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
}
