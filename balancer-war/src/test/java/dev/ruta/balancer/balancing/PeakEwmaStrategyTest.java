package dev.ruta.balancer.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeakEwmaStrategyTest {

    private static final long MS = 1_000_000;

    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final SplittableRandom random = new SplittableRandom(42);
    private final PeakEwmaStrategy strategy = new PeakEwmaStrategy(() -> random, clock::get);

    @Test
    void equalInstancesShareTheRequests() {
        List<Upstream> upstreams = Fixtures.upstreams("a", "b", "c");
        upstreams.forEach(upstream -> upstream.answerTime().record(5 * MS, clock.get()));
        Map<String, Integer> shares = choose(upstreams, 30_000);
        shares.values().forEach(count -> assertTrue(count > 9_000 && count < 11_000, shares.toString()));
    }

    @Test
    void aSlowInstanceGetsFewRequests() {
        List<Upstream> upstreams = Fixtures.upstreams("a", "b", "c", "slow");
        upstreams.forEach(upstream -> upstream.answerTime().record(2 * MS, clock.get()));
        upstreams.get(3).answerTime().record(22 * MS, clock.get());
        Map<String, Integer> shares = choose(upstreams, 40_000);
        // Drawn in a pair, it loses it: its cost is ten times the other's.
        assertEquals(0, shares.getOrDefault("slow", 0), shares.toString());
    }

    @Test
    void requestsInFlightRaiseTheCostOfAnInstanceThatPauses() {
        List<Upstream> upstreams = Fixtures.upstreams("a", "b");
        upstreams.forEach(upstream -> upstream.answerTime().record(2 * MS, clock.get()));
        for (int i = 0; i < 5; i++) {
            upstreams.get(0).started();
        }
        assertEquals("b", strategy.choose("operations", upstreams).instance().id());
    }

    @Test
    void anInstanceSilentOnItsFirstHeldRequestLosesToOneThatAnswers() {
        List<Upstream> upstreams = Fixtures.upstreams("paused", "busy");
        upstreams.forEach(upstream -> upstream.answerTime().record(2 * MS, clock.get()));
        // The busy one holds more requests, but it answers; the paused one holds one, for 50 ms.
        upstreams.get(0).started();
        upstreams.get(0).answerTime().sent(clock.get());
        for (int i = 0; i < 3; i++) {
            upstreams.get(1).started();
            upstreams.get(1).answerTime().sent(clock.get());
        }
        clock.addAndGet(50 * MS);
        upstreams.get(1).answerTime().settled(clock.get());
        upstreams.get(1).answerTime().sent(clock.get());
        assertEquals("busy", strategy.choose("operations", upstreams).instance().id());
    }

    @Test
    void aStalledInstanceLosesEvenToOneWhoseAverageIsHigh() {
        List<Upstream> upstreams = Fixtures.upstreams("paused", "cold");
        upstreams.get(0).answerTime().record(2 * MS, clock.get());
        // A JVM just started: one answer took a second, and its average remembers it.
        upstreams.get(1).answerTime().record(1_000 * MS, clock.get());
        upstreams.get(0).started();
        upstreams.get(0).answerTime().sent(clock.get());
        clock.addAndGet(10 * MS);
        assertEquals("cold", strategy.choose("operations", upstreams).instance().id(), "silent for 5 times its average");
        clock.addAndGet(-9 * MS);
        assertEquals("paused", strategy.choose("operations", upstreams).instance().id(), "late by less than its average");
    }

    @Test
    void silenceLastsWhileRequestsAreHeldWithoutAnyAnswer() {
        AnswerTime time = new AnswerTime(10_000 * MS);
        assertEquals(0, time.silenceNanos(clock.get()), "nothing held");
        time.sent(clock.get());
        clock.addAndGet(5 * MS);
        time.sent(clock.get());
        clock.addAndGet(5 * MS);
        assertEquals(10 * MS, time.silenceNanos(clock.get()), "from the first held request");
        time.settled(clock.get());
        clock.addAndGet(MS);
        assertEquals(MS, time.silenceNanos(clock.get()), "from the last request that settled");
        time.settled(clock.get());
        clock.addAndGet(MS);
        assertEquals(0, time.silenceNanos(clock.get()), "nothing held any more");
    }

    @Test
    void aSlowAnswerCountsAtOnceAndIsForgottenOverTheDecay() {
        AnswerTime time = new AnswerTime(10_000 * MS);
        time.record(2 * MS, clock.get());
        time.record(50 * MS, clock.get());
        assertEquals(50 * MS, time.nanos(clock.get()), 1, "a peak replaces the average at once");
        clock.addAndGet(10_000 * MS);
        assertEquals(50 * MS / Math.E, time.nanos(clock.get()), 1, "decayed by e over one decay time");
        time.record(2 * MS, clock.get());
        assertTrue(time.nanos(clock.get()) < 50 * MS / Math.E, "a faster answer pulls it down");
    }

    @Test
    void anInstanceNotTimedYetCostsTheAverageOfThoseThatAre() {
        List<Upstream> upstreams = Fixtures.upstreams("a", "b", "new");
        upstreams.get(0).answerTime().record(2 * MS, clock.get());
        upstreams.get(1).answerTime().record(4 * MS, clock.get());
        Map<String, Integer> shares = choose(upstreams, 30_000);
        assertTrue(shares.get("new") > shares.getOrDefault("b", 0) && shares.get("new") < shares.get("a"),
                "between the fast and the slow one: " + shares);
    }

    @Test
    void heavierInstancesArePickedAsOftenAsTheirWeightsSay() {
        List<Upstream> upstreams = List.of(Fixtures.weighted("light", 1), Fixtures.weighted("heavy", 3));
        // Untimed: equal costs per unit of weight favour the heavy one in every pair.
        Map<String, Integer> shares = choose(upstreams, 10_000);
        assertTrue(shares.get("heavy") > shares.getOrDefault("light", 0), shares.toString());
    }

    @Test
    void theLargestWeightsConsulAllowsBesideTheSmallestDrawWithoutFail() {
        List<Upstream> upstreams = List.of(Fixtures.weighted("tiny", 1), Fixtures.weighted("huge", 65_535),
                Fixtures.weighted("other", 1));
        Map<String, Integer> shares = choose(upstreams, 10_000);
        assertEquals(10_000, shares.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(shares.get("huge") > 9_900, "the heavy one takes nearly all: " + shares);
    }

    @Test
    void oneCandidateIsTheChoice() {
        List<Upstream> one = Fixtures.upstreams("only");
        assertEquals("only", strategy.choose("operations", one).instance().id());
    }

    private Map<String, Integer> choose(List<Upstream> upstreams, int times) {
        Map<String, Integer> shares = new HashMap<>();
        for (int i = 0; i < times; i++) {
            shares.merge(strategy.choose("operations", upstreams).instance().id(), 1, Integer::sum);
        }
        return shares;
    }
}
