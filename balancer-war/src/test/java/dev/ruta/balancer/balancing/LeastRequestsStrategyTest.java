package dev.ruta.balancer.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeastRequestsStrategyTest {

    private final LeastRequestsStrategy strategy = new LeastRequestsStrategy();

    @Test
    void picksTheInstanceWithFewestInFlight() {
        List<Upstream> upstreams = Fixtures.upstreams("a", "b", "c");
        upstreams.get(0).started();
        upstreams.get(0).started();
        upstreams.get(2).started();
        assertEquals("b", strategy.choose("s", upstreams).instance().id());
    }

    @Test
    void breaksTiesRoundRobin() {
        List<Upstream> upstreams = Fixtures.upstreams("a", "b", "c");
        upstreams.get(1).started();
        assertEquals("a", strategy.choose("s", upstreams).instance().id());
        assertEquals("c", strategy.choose("s", upstreams).instance().id());
        assertEquals("a", strategy.choose("s", upstreams).instance().id());
    }

    @Test
    void comparesInFlightPerUnitOfWeight() {
        Upstream heavy = Fixtures.weighted("heavy", 3);
        Upstream light = Fixtures.weighted("light", 1);
        heavy.started();
        heavy.started();
        light.started();
        assertEquals("heavy", strategy.choose("s", List.of(light, heavy)).instance().id(), "2 of 3 is less than 1 of 1");
        heavy.started();
        List<String> ties = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ties.add(strategy.choose("s", List.of(light, heavy)).instance().id());
        }
        assertEquals(6, ties.stream().filter("heavy"::equals).count(), "3 of 3 and 1 of 1 tie: shared by weight " + ties);
    }

    @Test
    void isChosenByName() {
        assertEquals(LeastRequestsStrategy.NAME, Strategies.named(" Least-Requests ").name());
        assertEquals(RoundRobinStrategy.NAME, Strategies.named("round-robin").name());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Strategies.named("random"));
    }
}
