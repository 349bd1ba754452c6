package dev.ruta.balancer.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpstreamPoolTest {

    private final UpstreamPool<FakeClient> pool = new UpstreamPool<>(instance -> new FakeClient());

    private List<String> ids(List<Upstream<FakeClient>> upstreams) {
        return upstreams.stream().map(upstream -> upstream.instance().id()).toList();
    }

    @Test
    void keepsStayingInstancesAndClosesLeavingOnes() {
        pool.sync(Fixtures.snapshot(1, "a", "b"));
        Upstream<FakeClient> a = pool.upstreams("operations").get(0);
        Upstream<FakeClient> b = pool.upstreams("operations").get(1);
        a.tryStart();

        pool.sync(Fixtures.snapshot(2, "a", "c"));

        assertSame(a, pool.upstreams("operations").get(0), "same client and counters");
        assertEquals(1, pool.upstreams("operations").get(0).requests());
        assertEquals(List.of("a", "c"), ids(pool.upstreams("operations")));
        assertTrue(b.client().closed);
    }

    @Test
    void removingAServiceClosesItsClients() {
        pool.sync(Fixtures.snapshot(1, "a"));
        Upstream<FakeClient> a = pool.upstreams("operations").get(0);
        pool.remove("operations");
        assertTrue(pool.upstreams("operations").isEmpty());
        assertTrue(a.client().closed);
    }

    @Test
    void candidatesSkipTriedAndEjectedInstances() {
        pool.sync(Fixtures.snapshot(1, "a", "b", "c"));
        Instant now = Instant.now();
        pool.upstreams("operations").get(1).ejectUntil(now.plus(Duration.ofSeconds(10)));
        assertEquals(List.of("c"), ids(pool.candidates("operations", Set.of("a"), now)));
        assertEquals(List.of("a", "b", "c"), ids(pool.candidates("operations", Set.of(), now.plusSeconds(11))),
                "an ejected instance comes back when its time is up");
    }

    @Test
    void whenEveryInstanceIsEjectedTheyAllStayCandidates() {
        pool.sync(Fixtures.snapshot(1, "a", "b"));
        Instant now = Instant.now();
        pool.upstreams("operations").forEach(upstream -> upstream.ejectUntil(now.plusSeconds(10)));
        assertEquals(List.of("a", "b"), ids(pool.candidates("operations", Set.of(), now)));
    }

    @Test
    void aLeavingInstanceKeepsItsClientUntilItsRequestsFinish() {
        pool.sync(Fixtures.snapshot(1, "a"));
        Upstream<FakeClient> a = pool.upstreams("operations").get(0);
        assertTrue(a.tryStart());
        pool.sync(Fixtures.snapshot(2));
        assertTrue(!a.client().closed, "a request is still in flight on it");
        assertTrue(!a.tryStart(), "no new request once it left");
        a.finished(false);
        assertTrue(a.client().closed);
    }

    @Test
    void ejectionNeverShortens() {
        Upstream<FakeClient> upstream = Fixtures.upstreams("a").get(0);
        Instant now = Instant.now();
        upstream.ejectUntil(now.plusSeconds(10));
        upstream.ejectUntil(now.plusSeconds(1));
        assertTrue(upstream.isEjected(now.plusSeconds(5)));
    }
}
