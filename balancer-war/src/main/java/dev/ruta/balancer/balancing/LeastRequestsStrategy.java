package dev.ruta.balancer.balancing;

import java.util.ArrayList;
import java.util.List;

/**
 * The instance with the fewest requests in flight per unit of its weight; ties go round-robin
 * by weight, so idle instances share as their weights say.
 */
public final class LeastRequestsStrategy implements BalancingStrategy {

    public static final String NAME = "least-requests";

    private final RoundRobinStrategy tieBreaker = new RoundRobinStrategy();

    @Override
    public Upstream choose(String service, List<Upstream> candidates) {
        List<Upstream> least = new ArrayList<>(candidates.size());
        Upstream best = null;
        for (Upstream candidate : candidates) {
            // a/wa against b/wb, multiplied out: whole numbers, no rounding.
            long comparison = best == null ? -1
                    : (long) candidate.inFlight() * best.instance().weight() - (long) best.inFlight() * candidate.instance().weight();
            if (comparison < 0) {
                least.clear();
                best = candidate;
            }
            if (comparison <= 0) {
                least.add(candidate);
            }
        }
        return tieBreaker.choose(service, least);
    }

    @Override
    public String name() {
        return NAME;
    }
}
