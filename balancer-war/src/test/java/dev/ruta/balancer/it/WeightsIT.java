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
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Consul's Weights, as a canary release uses them: instances registered through Consul's API
 * with weights 1 and 3 share a service's requests 1:3, spread through each cycle; an instance
 * whose check warns leaves the rotation, unless the balancer is told to route warnings, at their
 * warning weight.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WeightsIT {

    private final RecordingServer light = new RecordingServer("light");
    private final RecordingServer heavy = new RecordingServer("heavy");
    private LocalSystem system;

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        system.register("light-1", registration("light-1", light.port(), 1, 1));
        system.register("heavy-1", registration("heavy-1", heavy.port(), 3, 2));
        system.startBalancer(Map.of()).awaitUp("/health/ready");
        system.awaitRouted("weighted", List.of("light-1", "heavy-1"));
    }

    @AfterAll
    void stop() {
        Closing.all(system, light, heavy);
    }

    @Test
    void weightsOneAndThreeShareOneToThreeSpreadThroughTheCycle() {
        List<String> answered = answers(system.viaBalancer("/api/weighted/x"), 40);
        assertEquals(Map.of("heavy-1", 30L, "light-1", 10L), counts(answered));
        int run = 0;
        for (String id : answered) {
            run = id.equals("heavy-1") ? run + 1 : 0;
            assertTrue(run < 4, "never four in a row to the heavy one: " + answered);
        }
        assertTrue(system.serviceStatus("weighted").getJsonArray("instances").stream()
                .map(instance -> instance.asJsonObject().getString("id") + ":" + instance.asJsonObject().getInt("weight"))
                .toList().containsAll(List.of("light-1:1", "heavy-1:3")), system.serviceStatus("weighted").toString());
        String metrics = TestHttp.get(system.balancer().url("/metrics")).body();
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("ruta_upstream_weight{")
                && line.contains("instance=\"heavy-1\"") && line.endsWith(" 3")), metrics);
    }

    @Test
    void aWarningInstanceIsRoutedAtItsWarningWeightOnlyWhenAsked(ConsulAgent consul) {
        try (LocalSystem warningsRouted = new LocalSystem(consul)) {
            warningsRouted.startBalancer(Map.of("balancer.route-warning", "true")).awaitUp("/health/ready");
            warningsRouted.awaitRouted("weighted", List.of("light-1", "heavy-1"));

            ttl(consul, "warn");
            system.awaitRouted("weighted", List.of("light-1"));
            await("routed at its warning weight").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> warningsRouted.serviceStatus("weighted").getJsonArray("instances").stream()
                            .anyMatch(instance -> instance.asJsonObject().getString("id").equals("heavy-1")
                                    && instance.asJsonObject().getInt("weight") == 2));
            assertEquals(Map.of("heavy-1", 20L, "light-1", 10L), counts(answers(warningsRouted.viaBalancer("/api/weighted/x"), 30)));
        } finally {
            ttl(consul, "pass");
            system.awaitRouted("weighted", List.of("light-1", "heavy-1"));
        }
    }

    private static String registration(String id, int port, int passing, int warning) {
        return "{\"ID\":\"" + id + "\",\"Name\":\"weighted\",\"Address\":\"127.0.0.1\",\"Port\":" + port
                + ",\"Tags\":[\"balanced\"],\"Weights\":{\"Passing\":" + passing + ",\"Warning\":" + warning + "},"
                + "\"Check\":{\"CheckID\":\"" + id + "-ttl\",\"TTL\":\"1h\",\"Status\":\"passing\"}}";
    }

    private static void ttl(ConsulAgent consul, String verdict) {
        HttpReply reply = TestHttp.put(consul.httpUrl().resolve("/v1/agent/check/" + verdict + "/heavy-1-ttl"), "");
        assertEquals(200, reply.status(), reply.body());
    }

    private static List<String> answers(URI uri, int count) {
        List<String> answered = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpReply reply = TestHttp.get(uri);
            assertEquals(200, reply.status(), reply.body());
            answered.add(reply.header("X-Ruta-Instance"));
        }
        return answered;
    }

    private static Map<String, Long> counts(List<String> answered) {
        Map<String, Long> counts = new TreeMap<>();
        answered.forEach(id -> counts.merge(id, 1L, Long::sum));
        return counts;
    }
}
