package dev.ruta.balancer.balancing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * An instance that joined a service, or came back from ejection, takes a share of its
 * requests that grows in a straight line from a tenth to all of it over
 * {@code balancer.slow-start}, whatever the strategy (as HAProxy's {@code slowstart}): when
 * the strategy picks it, it keeps the request with the probability of its share, and otherwise
 * the strategy picks again among the instances already warm. Linear rather than by answer times:
 * a cold JVM is slow for a while before it is slow on any one answer, and a share that grows on
 * a clock is one a person can predict. Off at zero, the default.
 */
public final class SlowStart {

    private static final double FIRST_SHARE = 0.1;
    /** Where a strategy keeps per-service turns, those of a service's warm instances alone. */
    private static final String WARM_ONLY = " (warm instances)";

    private final Duration period;
    private final Supplier<RandomGenerator> random;

    public SlowStart(Duration period) {
        this(period, ThreadLocalRandom::current);
    }

    SlowStart(Duration period, Supplier<RandomGenerator> random) {
        this.period = period;
        this.random = random;
    }

    /** The share of its requests an upstream takes now: 1 once warm. */
    public double share(Upstream upstream, Instant now) {
        if (period.isZero()) {
            return 1;
        }
        Instant from = upstream.warmingFrom();
        if (!from.isAfter(now.minus(period))) {
            return 1;
        }
        long elapsed = Math.max(0, Duration.between(from, now).toMillis());
        return Math.max(FIRST_SHARE, elapsed / (double) period.toMillis());
    }

    public Upstream choose(BalancingStrategy strategy, String service, List<Upstream> candidates, Instant now) {
        Upstream chosen = strategy.choose(service, candidates);
        if (period.isZero()) {
            return chosen;
        }
        double share = share(chosen, now);
        if (share >= 1 || random.get().nextDouble() < share) {
            return chosen;
        }
        List<Upstream> warm = new ArrayList<>(candidates.size());
        for (Upstream candidate : candidates) {
            if (share(candidate, now) >= 1) {
                warm.add(candidate);
            }
        }
        // Turns of their own, so that the strategy's turns over all the candidates stay even.
        return warm.isEmpty() ? chosen : strategy.choose(service + WARM_ONLY, warm);
    }
}
