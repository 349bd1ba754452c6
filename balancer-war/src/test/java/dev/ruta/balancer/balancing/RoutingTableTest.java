package dev.ruta.balancer.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.discovery.ServiceSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private final RoutingTable table = new RoutingTable(null, java.time.Duration.ofSeconds(10));

    private static List<String> ids(List<Upstream> upstreams) {
        return upstreams.stream().map(upstream -> upstream.instance().id()).toList();
    }

    private ServiceRoute operations() {
        return table.route("operations").orElseThrow();
    }

    @Test
    void aStayingInstanceKeepsItsCountersAndTheRouteCarriesTheIndex() {
        table.follow(Fixtures.snapshot(1, "a", "b"));
        Upstream a = operations().upstreams().get(0);
        a.started();

        table.follow(Fixtures.snapshot(2, "a", "c"));

        assertSame(a, operations().upstreams().get(0), "same counters");
        assertEquals(1, operations().upstreams().get(0).requests());
        assertEquals(List.of("a", "c"), ids(operations().upstreams()));
        assertEquals(2, operations().consulIndex());
    }

    @Test
    void anInstanceThatMovedStartsAfresh() {
        table.follow(Fixtures.snapshot(1, "a"));
        Upstream before = operations().upstreams().get(0);
        Instance moved = new Instance("a", "operations", "127.0.0.2", 9999, "moved", 1);
        table.follow(new ServiceSnapshot("operations", List.of(moved), 2, Instant.now()));
        assertNotSame(before, operations().upstreams().get(0));
        assertEquals("127.0.0.2", operations().upstreams().get(0).instance().address());
    }

    @Test
    void aRemovedServiceIsNoLongerRouted() {
        table.follow(Fixtures.snapshot(1, "a"));
        table.remove("operations");
        assertTrue(table.route("operations").isEmpty());
        assertTrue(table.all().isEmpty());
    }

    @Test
    void candidatesSkipTriedAndEjectedInstances() {
        table.follow(Fixtures.snapshot(1, "a", "b", "c"));
        Instant now = Instant.now();
        operations().upstreams().get(1).ejectUntil(now.plus(Duration.ofSeconds(10)));
        assertEquals(List.of("c"), ids(operations().candidates(Set.of("a"), now)));
        assertEquals(List.of("a", "b", "c"), ids(operations().candidates(Set.of(), now.plusSeconds(11))),
                "an ejected instance comes back when its time is up");
    }

    @Test
    void whenEveryInstanceIsEjectedTheyAllStayCandidates() {
        table.follow(Fixtures.snapshot(1, "a", "b"));
        Instant now = Instant.now();
        operations().upstreams().forEach(upstream -> upstream.ejectUntil(now.plusSeconds(10)));
        assertEquals(List.of("a", "b"), ids(operations().candidates(Set.of(), now)));
    }

    @Test
    void countersFollowRequests() {
        Upstream upstream = Fixtures.upstreams("a").get(0);
        upstream.started();
        upstream.started();
        upstream.finished(true);
        assertEquals(2, upstream.requests());
        assertEquals(1, upstream.failures());
        assertEquals(1, upstream.inFlight());
    }

    @Test
    void ejectionNeverShortens() {
        Upstream upstream = Fixtures.upstreams("a").get(0);
        Instant now = Instant.now();
        upstream.ejectUntil(now.plusSeconds(10));
        upstream.ejectUntil(now.plusSeconds(1));
        assertTrue(upstream.isEjected(now.plusSeconds(5)));
    }
}
