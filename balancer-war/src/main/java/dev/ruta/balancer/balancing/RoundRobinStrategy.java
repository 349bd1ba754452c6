package dev.ruta.balancer.balancing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each service's requests go to its instances in turn, each as often as its weight says. Equal
 * weights (the usual case) take a lock-free counter; floorMod keeps the turn valid when it wraps
 * past Integer.MAX_VALUE. Unequal ones take {@link SmoothWeightedTurns}.
 */
public final class RoundRobinStrategy implements BalancingStrategy {

    public static final String NAME = "round-robin";

    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
    private final Map<String, SmoothWeightedTurns> weightedTurns = new ConcurrentHashMap<>();

    @Override
    public Upstream choose(String service, List<Upstream> candidates) {
        if (equalWeights(candidates)) {
            return candidates.get(nextTurn(service, candidates.size()));
        }
        return weightedTurns.computeIfAbsent(service, name -> new SmoothWeightedTurns()).choose(candidates);
    }

    int nextTurn(String service, int size) {
        return Math.floorMod(turns.computeIfAbsent(service, name -> new AtomicInteger()).getAndIncrement(), size);
    }

    /** For tests of the overflow: start a service's counter anywhere. */
    void startAt(String service, int turn) {
        turns.put(service, new AtomicInteger(turn));
    }

    private static boolean equalWeights(List<Upstream> candidates) {
        int first = candidates.get(0).instance().weight();
        for (int i = 1; i < candidates.size(); i++) {
            if (candidates.get(i).instance().weight() != first) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String name() {
        return NAME;
    }
}
