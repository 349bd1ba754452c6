package dev.ruta.balancer.balancing;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A routed service at one registry index: its upstreams, with their counters. Immutable as a
 * list: a change in the registry produces a new route that replaces this one whole.
 */
public record ServiceRoute(String service, List<Upstream> upstreams, long consulIndex, Instant updatedAt) {

    public ServiceRoute {
        upstreams = List.copyOf(upstreams);
    }

    /**
     * Who may take a request: the upstreams not yet tried for it and not ejected. When every
     * untried upstream is ejected, all of them are candidates again: better a suspect instance
     * than certain failure.
     */
    public List<Upstream> candidates(Set<String> alreadyTried, Instant now) {
        List<Upstream> untried = alreadyTried.isEmpty() ? upstreams : upstreams.stream()
                .filter(upstream -> !alreadyTried.contains(upstream.instance().id()))
                .toList();
        for (Upstream upstream : untried) {
            if (upstream.isEjected(now)) {
                List<Upstream> healthy = untried.stream().filter(candidate -> !candidate.isEjected(now)).toList();
                return healthy.isEmpty() ? untried : healthy;
            }
        }
        return untried;
    }
}
