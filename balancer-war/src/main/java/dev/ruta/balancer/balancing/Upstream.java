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
    private boolean retired;

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

    /**
     * Takes a request, unless the instance has left the registry meanwhile: its client is then
     * closed or closing, and the request must go elsewhere.
     */
    public synchronized boolean tryStart() {
        if (retired) {
            return false;
        }
        requests.incrementAndGet();
        inFlight.incrementAndGet();
        return true;
    }

    public synchronized void finished(boolean failed) {
        if (failed) {
            failures.incrementAndGet();
        }
        if (inFlight.decrementAndGet() == 0 && retired) {
            closeClient();
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

    /** The instance left: no new requests; the client closes once those in flight have finished. */
    synchronized void retire() {
        retired = true;
        if (inFlight.get() == 0) {
            closeClient();
        }
    }

    private void closeClient() {
        try {
            client.close();
        } catch (Exception e) {
            // The instance is gone; its connections go with it.
        }
    }
}
