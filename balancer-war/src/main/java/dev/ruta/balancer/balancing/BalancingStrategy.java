package dev.ruta.balancer.balancing;

import java.util.List;

/** Which upstream takes the next request of a service. Candidates are never empty. */
public interface BalancingStrategy {

    <C extends AutoCloseable> Upstream<C> choose(String service, List<Upstream<C>> candidates);

    /** The name used in {@code balancer.strategy}. */
    String name();
}
