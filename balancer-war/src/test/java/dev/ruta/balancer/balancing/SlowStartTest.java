package dev.ruta.balancer.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlowStartTest {

    private static final Instant JOINED = Instant.parse("2026-12-06T10:00:00Z");

    private final SplittableRandom random = new SplittableRandom(7);
    private final SlowStart slowStart = new SlowStart(Duration.ofSeconds(30), () -> random);
    private final RoundRobinStrategy roundRobin = new RoundRobinStrategy();

    @Test
    void aJoiningInstanceTakesAShareGrowingFromATenthToAllOfItsOwn() {
        Upstream joining = joining("new");
        assertEquals(0.1, slowStart.share(joining, JOINED), 1e-9);
        assertEquals(0.5, slowStart.share(joining, JOINED.plusSeconds(15)), 1e-9);
        assertEquals(1, slowStart.share(joining, JOINED.plusSeconds(30)), 1e-9);
        assertEquals(1, slowStart.share(Fixtures.upstreams("old").get(0), JOINED), 1e-9, "there from the start: warm");
    }

    @Test
    void underRoundRobinItGetsThatShareOfItsTurns() {
        List<Upstream> upstreams = List.of(Fixtures.upstreams("a").get(0), Fixtures.upstreams("b").get(0), joining("new"));
        Map<String, Integer> early = choose(upstreams, JOINED.plusSeconds(3), 30_000);
        Map<String, Integer> half = choose(upstreams, JOINED.plusSeconds(15), 30_000);
        Map<String, Integer> late = choose(upstreams, JOINED.plusSeconds(31), 30_000);
        assertEquals(1_000, early.get("new"), 150, "a tenth of its 10,000 turns: " + early);
        assertEquals(5_000, half.get("new"), 300, "half of them: " + half);
        assertEquals(10_000, late.get("new"), "all of them once warm: " + late);
    }

    @Test
    void anInstanceBackFromEjectionWarmsUpAgain() {
        Upstream back = Fixtures.upstreams("back").get(0);
        back.ejectUntil(JOINED);
        assertEquals(0.1, slowStart.share(back, JOINED.plusSeconds(1)), 1e-9);
        assertEquals(1, slowStart.share(back, JOINED.plusSeconds(30)), 1e-9);
    }

    @Test
    void offAtZero() {
        SlowStart off = new SlowStart(Duration.ZERO, () -> random);
        Upstream joining = joining("new");
        assertEquals(1, off.share(joining, JOINED), 1e-9);
        List<Upstream> upstreams = List.of(Fixtures.upstreams("a").get(0), joining);
        Map<String, Integer> shares = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            shares.merge(off.choose(roundRobin, "operations", upstreams, JOINED).instance().id(), 1, Integer::sum);
        }
        assertEquals(500, shares.get("new"), "plain turns");
    }

    @Test
    void aloneItTakesEverythingWhateverItsShare() {
        List<Upstream> alone = List.of(joining("new"));
        assertTrue(slowStart.choose(roundRobin, "operations", alone, JOINED).instance().id().equals("new"));
    }

    private Map<String, Integer> choose(List<Upstream> upstreams, Instant now, int times) {
        Map<String, Integer> shares = new HashMap<>();
        for (int i = 0; i < times; i++) {
            shares.merge(slowStart.choose(roundRobin, "operations", upstreams, now).instance().id(), 1, Integer::sum);
        }
        return shares;
    }

    private static Upstream joining(String id) {
        return new Upstream(Fixtures.instance(id), JOINED, Duration.ofSeconds(10));
    }
}
