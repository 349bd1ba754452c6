package dev.ruta.balancer.balancing;

import dev.ruta.balancer.discovery.Instance;
import java.time.Duration;
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
    private final AnswerTime answerTime;
    private final Instant joined;

    /** One that has always been there: warm from the start, its answers averaged over 10 s. */
    public Upstream(Instance instance) {
        this(instance, Instant.MIN, Duration.ofSeconds(10));
    }

    /**
     * @param joined     when it joined its service, for slow start; {@link Instant#MIN} when it
     *                   was there when the balancer first saw the service
     * @param answerDecay how long its average answer time takes to forget
     */
    public Upstream(Instance instance, Instant joined, Duration answerDecay) {
        this.instance = instance;
        this.joined = joined;
        this.answerTime = new AnswerTime(answerDecay.toNanos());
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

    /** Its answer times, averaged: how the peak-ewma strategy and the page see its speed. */
    public AnswerTime answerTime() {
        return answerTime;
    }

    Instant joined() {
        return joined;
    }

    /** Since when it has been taking requests, for slow start: it joined, or its ejection ended. */
    public Instant warmingFrom() {
        Instant ejectionEnd = ejectedUntil.get();
        return ejectionEnd.isAfter(joined) ? ejectionEnd : joined;
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
