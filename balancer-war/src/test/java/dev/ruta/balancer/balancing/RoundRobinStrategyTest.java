package dev.ruta.balancer.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinStrategyTest {

    private final RoundRobinStrategy strategy = new RoundRobinStrategy();

    private List<String> picks(String service, List<Upstream> upstreams, int count) {
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            picked.add(strategy.choose(service, upstreams).instance().id());
        }
        return picked;
    }

    @Test
    void takesTurns() {
        assertEquals(List.of("a", "b", "c", "a", "b", "c"), picks("s", Fixtures.upstreams("a", "b", "c"), 6));
    }

    @Test
    void keepsOneTurnPerService() {
        List<Upstream> upstreams = Fixtures.upstreams("a", "b");
        assertEquals(List.of("a"), picks("one", upstreams, 1));
        assertEquals(List.of("a", "b"), picks("two", upstreams, 2));
        assertEquals(List.of("b"), picks("one", upstreams, 1));
    }

    @Test
    void survivesCounterOverflow() {
        strategy.startAt("s", Integer.MAX_VALUE - 1);
        List<Integer> turns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            turns.add(strategy.nextTurn("s", 3));
        }
        // MAX-1 ≡ 0, MAX ≡ 1 (mod 3); then MIN ≡ 1 and so on: always a valid index, never negative.
        turns.forEach(turn -> assertEquals(true, turn >= 0 && turn < 3, "turn " + turn));
        assertEquals(List.of(Math.floorMod(Integer.MAX_VALUE - 1, 3), Math.floorMod(Integer.MAX_VALUE, 3),
                Math.floorMod(Integer.MIN_VALUE, 3), Math.floorMod(Integer.MIN_VALUE + 1, 3),
                Math.floorMod(Integer.MIN_VALUE + 2, 3), Math.floorMod(Integer.MIN_VALUE + 3, 3)), turns);
    }

    @Test
    void followsAChangingListOfCandidates() {
        assertEquals(List.of("a", "b"), picks("s", Fixtures.upstreams("a", "b"), 2));
        assertEquals(List.of("c"), picks("s", Fixtures.upstreams("a", "b", "c"), 1));
    }
}
