package dev.ruta.balancer.balancing;

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

    /** The average as of now, in nanoseconds; negative while no answer was timed. */
    public double nanos(long now) {
        State last = state.get();
        return last == NONE ? -1 : decayed(last, now);
    }

    private double decayed(State last, long now) {
        return last.nanos * Math.exp(-Math.max(0, now - last.at) / decayNanos);
    }
}
