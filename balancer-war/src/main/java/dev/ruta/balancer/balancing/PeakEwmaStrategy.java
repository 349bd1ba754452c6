package dev.ruta.balancer.balancing;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Two instances picked at random (each as likely as its weight says), the request to the one
 * whose cost is lower: its peak-sensitive average answer time ({@link AnswerTime}) times its
 * requests in flight plus one, per unit of weight. A slow answer raises an instance's cost at
 * once, a pause piles its requests in flight; two random choices keep every instance sampled
 * now and then, where always the cheapest would herd all requests onto one. An instance not
 * timed yet costs the average of those that are: it gets traffic, as an average one would.
 *
 * <p>An average learns only from answers, and a paused instance gives none. So an instance that
 * has held requests for {@value #STALLED_AFTER} times its average answer time without settling
 * one counts as stalled: it loses to any instance that is not, however slow that one's average
 * (a cold JVM's peaks keep its average high for a while, and must not make a paused instance
 * look better), and between two stalled ones the one silent for less wins. Before that, its
 * silence counts as its answer time when longer than its average. A healthy instance that takes
 * long over one answer is passed over only while that answer is late.
 */
public final class PeakEwmaStrategy implements BalancingStrategy {

    public static final String NAME = "peak-ewma";
    /** The cost of an answer time when no instance of the service has one yet: 1 ms. */
    private static final double UNTIMED_NANOS = 1_000_000;
    /** How many of its average answer times an instance may hold requests silently before it counts as stalled. */
    static final int STALLED_AFTER = 4;
    /** Above any cost an instance that answers can have (10 s × a million requests in flight, in ns). */
    private static final double STALLED = 1e22;

    private final Supplier<RandomGenerator> random;
    private final LongSupplier clock;

    public PeakEwmaStrategy() {
        this(ThreadLocalRandom::current, System::nanoTime);
    }

    PeakEwmaStrategy(Supplier<RandomGenerator> random, LongSupplier clock) {
        this.random = random;
        this.clock = clock;
    }

    @Override
    public Upstream choose(String service, List<Upstream> candidates) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        RandomGenerator dice = random.get();
        long totalWeight = 0;
        for (Upstream candidate : candidates) {
            totalWeight += candidate.instance().weight();
        }
        Upstream first = pick(candidates, dice.nextLong(totalWeight));
        // The second from the others: without the first's weight, so the two differ.
        Upstream second = pick(candidates, first, dice.nextLong(totalWeight - first.instance().weight()));
        long now = clock.getAsLong();
        double untimed = untimedCost(candidates, now);
        return cost(second, now, untimed) < cost(first, now, untimed) ? second : first;
    }

    private static Upstream pick(List<Upstream> candidates, long ticket) {
        return pick(candidates, null, ticket);
    }

    private static Upstream pick(List<Upstream> candidates, Upstream skipped, long ticket) {
        long left = ticket;
        for (Upstream candidate : candidates) {
            if (candidate == skipped) {
                continue;
            }
            left -= candidate.instance().weight();
            if (left < 0) {
                return candidate;
            }
        }
        throw new IllegalStateException("a ticket beyond the candidates' weights");
    }

    private static double cost(Upstream upstream, long now, double untimed) {
        double average = upstream.answerTime().nanos(now);
        double answer = average < 0 ? untimed : average;
        long silence = upstream.answerTime().silenceNanos(now);
        if (silence > STALLED_AFTER * answer) {
            return STALLED + silence;
        }
        return Math.max(answer, silence) * (upstream.inFlight() + 1) / upstream.instance().weight();
    }

    private static double untimedCost(List<Upstream> candidates, long now) {
        double sum = 0;
        int timed = 0;
        for (Upstream candidate : candidates) {
            double answer = candidate.answerTime().nanos(now);
            if (answer >= 0) {
                sum += answer;
                timed++;
            }
        }
        return timed == 0 ? UNTIMED_NANOS : sum / timed;
    }

    @Override
    public String name() {
        return NAME;
    }
}
