package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code balancer.strategy=peak-ewma} on a real balancer, in front of instances in this JVM
 * registered in the real Consul: one that answers late gets few requests and its share back
 * once it recovers; one that stops answering for a while is left alone meanwhile; and, with
 * slow start, one that joins takes a small share first. Behaviour only: the figures are
 * provisioning/balancing-benchmark.sh's.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PeakEwmaIT {

    private static final List<String> IDS = List.of("fast-1", "fast-2", "fast-3", "slow-1");

    private final List<RecordingServer> instances = IDS.stream().map(RecordingServer::new).toList();
    private final RecordingServer slow = instances.get(3);
    private final RecordingServer joiner = new RecordingServer("joiner-1");
    private final ExecutorService clients = Executors.newFixedThreadPool(8);
    /** Two clients at a time: the load of a steady trickle, where in-flight counts stay low. */
    private final ExecutorService fewClients = Executors.newFixedThreadPool(2);
    private LocalSystem system;

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        for (int i = 0; i < IDS.size(); i++) {
            system.registerInstance(IDS.get(i), "speed", instances.get(i).port());
        }
        // A short decay: one slow answer of a healthy instance (a pause of this busy machine) is
        // forgotten within seconds, and the slow one is tried again about every two.
        system.startBalancerRoutingRegistered(Map.of("balancer.strategy", "peak-ewma", "balancer.ewma-decay", "1s",
                "balancer.slow-start", "30s", "balancer.retries", "0"));
    }

    @AfterAll
    void stop() {
        clients.shutdownNow();
        fewClients.shutdownNow();
        Closing.all(Stream.concat(Stream.of(system, joiner), instances.stream()).toArray(AutoCloseable[]::new));
    }

    @Test
    @Order(1)
    void anInstanceThatAnswersLateGetsFewRequestsAndItsShareBackOnceItRecovers() {
        send(100, fewClients);
        slow.answerLate(Duration.ofMillis(20));
        send(100, fewClients);
        Map<String, Integer> whileSlow = send(400, fewClients);
        // Its fair share is a quarter; it still gets a few, as its average decays and it is tried again.
        assertTrue(whileSlow.getOrDefault("slow-1", 0) <= 40, "at most a tenth of the requests: " + whileSlow);
        JsonObject slowView = instanceView("slow-1");
        assertTrue(slowView.getJsonNumber("answerTimeSeconds").doubleValue() > instanceView("fast-1")
                .getJsonNumber("answerTimeSeconds").doubleValue(), "the table shows it slower: " + slowView);

        slow.answerLate(Duration.ZERO);
        await("its fair share again").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(200, fewClients).getOrDefault("slow-1", 0), share -> share >= 30);
    }

    @Test
    @Order(2)
    void anInstanceThatStopsAnsweringIsLeftAloneMeanwhile() {
        send(100, clients);
        slow.holdAnswers();
        int before = slow.received().size();
        try {
            Map<String, Integer> whilePaused = send(200, clients);
            assertEquals(200 - (slow.received().size() - before), whilePaused.values().stream().mapToInt(Integer::intValue).sum(),
                    "every request the others took was answered while it held its own");
            assertTrue(slow.received().size() - before <= 20, "it took few: " + (slow.received().size() - before));
        } finally {
            slow.release();
        }
    }

    @Test
    @Order(3)
    void withSlowStartAnInstanceThatJoinsTakesASmallShareFirst() {
        system.registerInstance("joiner-1", "speed", joiner.port());
        system.awaitRouted("speed", List.of("fast-1", "fast-2", "fast-3", "joiner-1", "slow-1"));
        JsonObject view = instanceView("joiner-1");
        assertTrue(view.containsKey("slowStartShare") && view.getJsonNumber("slowStartShare").doubleValue() < 1,
                "warming up: " + view);
        Map<String, Integer> first = send(300, clients);
        assertTrue(first.getOrDefault("joiner-1", 0) < 30, "a fifth is its fair share; far less at first: " + first);
        assertTrue(TestHttp.get(system.balancer().url("/metrics")).body().contains("ruta_upstream_slow_start_share"));
    }

    /** Sends that many requests, as many at once as the clients' threads; which instance answered each. */
    private Map<String, Integer> send(int requests, ExecutorService through) {
        List<CompletableFuture<HttpReply>> replies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            replies.add(CompletableFuture.supplyAsync(() -> TestHttp.get(system.viaBalancer("/api/speed/x")), through));
        }
        Map<String, Integer> answered = new HashMap<>();
        for (CompletableFuture<HttpReply> reply : replies) {
            HttpReply answer = reply.join();
            if (answer.status() == 200) {
                answered.merge(answer.header("X-Ruta-Instance"), 1, Integer::sum);
            }
        }
        return answered;
    }

    private JsonObject instanceView(String id) {
        return system.serviceStatus("speed").getJsonArray("instances").stream().map(JsonObject.class::cast)
                .filter(instance -> instance.getString("id").equals(id)).findFirst().orElseThrow();
    }
}
