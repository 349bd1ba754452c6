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

    @Test
    void givesEachInstanceItsWeightsShareSpreadThroughTheCycle() {
        List<String> picked = picks("s", List.of(Fixtures.weighted("light", 1), Fixtures.weighted("heavy", 3)), 40);
        assertEquals(10, picked.stream().filter("light"::equals).count());
        assertEquals(30, picked.stream().filter("heavy"::equals).count());
        assertEquals(3, longestRun(picked, "heavy"), picked.toString());
        for (int cycle = 0; cycle < 40; cycle += 4) {
            assertEquals(1, picked.subList(cycle, cycle + 4).stream().filter("light"::equals).count(), "exact in each cycle of 4");
        }
    }

    @Test
    void sharesByWeightAmongMany() {
        List<Upstream> upstreams = List.of(Fixtures.weighted("a", 5), Fixtures.weighted("b", 1), Fixtures.weighted("c", 1));
        List<String> picked = picks("s", upstreams, 70);
        assertEquals(List.of(50L, 10L, 10L), List.of("a", "b", "c").stream()
                .map(id -> picked.stream().filter(id::equals).count()).toList());
        assertEquals(List.of("a", "a", "b", "a", "c", "a", "a"), picked.subList(0, 7), "nginx's smooth order");
    }

    private static int longestRun(List<String> picked, String id) {
        int longest = 0;
        int run = 0;
        for (String one : picked) {
            run = one.equals(id) ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }
}
