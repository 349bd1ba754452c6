package dev.ruta.balancer.proxy.edge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * At most balancer.max-in-flight requests at once. Beyond it the answer is a quick 503 rather
 * than a queue that grows without bound and takes memory and latency from everyone.
 */
@ApplicationScoped
public class InFlightLimit {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final int max;

    protected InFlightLimit() {
        this(0);
    }

    @Inject
    public InFlightLimit(@ConfigProperty(name = "balancer.max-in-flight") int max) {
        this.max = max;
    }

    boolean tryAcquire() {
        if (inFlight.incrementAndGet() > max) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        inFlight.decrementAndGet();
    }

    public int max() {
        return max;
    }
}
