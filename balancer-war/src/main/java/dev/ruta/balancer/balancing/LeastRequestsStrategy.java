package dev.ruta.balancer.balancing;

import java.util.List;

/** The instance with the fewest requests in flight; ties go round-robin, so idle instances share. */
public final class LeastRequestsStrategy implements BalancingStrategy {

    public static final String NAME = "least-requests";

    private final RoundRobinStrategy tieBreaker = new RoundRobinStrategy();

    @Override
    public Upstream choose(String service, List<Upstream> candidates) {
        int fewest = candidates.stream().mapToInt(Upstream::inFlight).min().orElseThrow();
        List<Upstream> least = candidates.stream().filter(upstream -> upstream.inFlight() == fewest).toList();
        return tieBreaker.choose(service, least);
    }

    @Override
    public String name() {
        return NAME;
    }
}
