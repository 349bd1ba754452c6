package dev.ruta.balancer.balancing;

import java.util.Locale;

/** The strategies {@code balancer.strategy} can name. */
public final class Strategies {

    private Strategies() {
    }

    public static BalancingStrategy named(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case RoundRobinStrategy.NAME -> new RoundRobinStrategy();
            case LeastRequestsStrategy.NAME -> new LeastRequestsStrategy();
            default -> throw new IllegalArgumentException("balancer.strategy must be " + RoundRobinStrategy.NAME
                    + " or " + LeastRequestsStrategy.NAME + ", not '" + name + "'");
        };
    }
}
