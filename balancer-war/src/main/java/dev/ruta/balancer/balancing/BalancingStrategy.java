package dev.ruta.balancer.balancing;

import java.util.List;

/** Which upstream takes the next request of a service. Candidates are never empty. */
public interface BalancingStrategy {

    Upstream choose(String service, List<Upstream> candidates);

    /** The name used in {@code balancer.strategy}. */
    String name();
}
