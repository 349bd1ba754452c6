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
            case PeakEwmaStrategy.NAME -> new PeakEwmaStrategy();
            default -> throw new IllegalArgumentException("balancer.strategy must be " + RoundRobinStrategy.NAME
                    + ", " + LeastRequestsStrategy.NAME + " or " + PeakEwmaStrategy.NAME + ", not '" + name + "'");
        };
    }
}
