package dev.ruta.balancer.balancing;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One service's weighted turns, by the smooth weighted round-robin nginx uses: each pick, every
 * candidate gains its weight, the one furthest ahead is chosen and set back by the total. Over
 * a cycle each instance gets exactly its weight's share, spread through the cycle rather than
 * bunched (weights 1 and 3 go b, a, b, b). Instances that leave the route fall out of the map
 * with their upstream.
 */
final class SmoothWeightedTurns {

    private final Map<Upstream, long[]> ahead = new WeakHashMap<>();

    synchronized Upstream choose(List<Upstream> candidates) {
        long total = 0;
        Upstream chosen = null;
        long[] chosenAhead = null;
        for (Upstream candidate : candidates) {
            int weight = candidate.instance().weight();
            long[] score = ahead.computeIfAbsent(candidate, upstream -> new long[1]);
            score[0] += weight;
            total += weight;
            if (chosenAhead == null || score[0] > chosenAhead[0]) {
                chosen = candidate;
                chosenAhead = score;
            }
        }
        chosenAhead[0] -= total;
        return chosen;
    }
}
