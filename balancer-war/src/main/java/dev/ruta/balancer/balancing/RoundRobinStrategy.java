package dev.ruta.balancer.balancing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each service's requests go to its instances in turn. floorMod keeps the turn valid when the
 * counter wraps past Integer.MAX_VALUE.
 */
public final class RoundRobinStrategy implements BalancingStrategy {

    public static final String NAME = "round-robin";

    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();

    @Override
    public Upstream choose(String service, List<Upstream> candidates) {
        return candidates.get(nextTurn(service, candidates.size()));
    }

    int nextTurn(String service, int size) {
        return Math.floorMod(turns.computeIfAbsent(service, name -> new AtomicInteger()).getAndIncrement(), size);
    }

    /** For tests of the overflow: start a service's counter anywhere. */
    void startAt(String service, int turn) {
        turns.put(service, new AtomicInteger(turn));
    }

    @Override
    public String name() {
        return NAME;
    }
}
