package dev.ruta.balancer.balancing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An instance's answer time as a peak-sensitive moving average (the peak EWMA of Finagle and
 * Linkerd): a slower answer than the average replaces it at once, a faster one pulls it down
 * by how long ago the last came, and with no answer at all it decays toward zero over the decay
 * time, so that an instance once slow is tried again rather than shunned for ever. Lock-free:
 * a small immutable state swapped by compare-and-set.
 */
public final class AnswerTime {

    private record State(double nanos, long at) {
    }

    private static final State NONE = new State(-1, 0);

    private final double decayNanos;
    private final AtomicReference<State> state = new AtomicReference<>(NONE);
    /** Requests sent whose answer's head has not come nor their attempt ended. */
    private final AtomicInteger awaited = new AtomicInteger();
    private volatile long silentSince;

    AnswerTime(long decayNanos) {
        this.decayNanos = Math.max(1, decayNanos);
    }

    /** One answer's time, from sending the request to its answer's head. */
    public void record(long tookNanos, long now) {
        state.getAndUpdate(last -> {
            double recent = decayed(last, now);
            if (last == NONE || tookNanos > recent) {
                return new State(tookNanos, now);
            }
            double weight = Math.exp(-(now - last.at) / decayNanos);
            return new State(recent * weight + tookNanos * (1 - weight), now);
        });
    }

    /** A request sent: from now, while nothing settles, the instance is silent. */
    public void sent(long now) {
        if (awaited.getAndIncrement() == 0) {
            silentSince = now;
        }
    }

    /** A request sent earlier settled: its answer's head came, or its attempt ended without one. */
    public void settled(long now) {
        silentSince = now;
        awaited.decrementAndGet();
    }

    /** How long it has held requests without settling any, in nanoseconds; 0 while it holds none. */
    public long silenceNanos(long now) {
        return awaited.get() > 0 ? Math.max(0, now - silentSince) : 0;
    }

    /** The average as of now, in nanoseconds; negative while no answer was timed. */
    public double nanos(long now) {
        State last = state.get();
        return last == NONE ? -1 : decayed(last, now);
    }

    private double decayed(State last, long now) {
        return last.nanos * Math.exp(-Math.max(0, now - last.at) / decayNanos);
    }
}
