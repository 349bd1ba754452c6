package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.TestHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The balancer in front of real operations instances, as the seed runs it: round-robin, a new
 * replica taking traffic, a crash and a rolling restart costing no request, and Consul going
 * away. The tests run in order on one system, each leaving it as the next expects.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BalancerIT {

    private LocalSystem system;
    private final List<PayaraProcess> instances = new ArrayList<>();

    @BeforeAll
    void startTheSystem(ConsulAgent consul) {
        system = new LocalSystem(consul);
        instances.addAll(system.startSeed(3, "instance"));
    }

    @AfterAll
    void stopTheSystem() {
        Closing.all(system);
    }

    @Test
    @Order(1)
    void spreadsThirtyRequestsTenPerInstance() {
        Map<String, Long> split = split(30);
        assertEquals(Map.of(id(0), 10L, id(1), 10L, id(2), 10L), split);
    }

    @Test
    @Order(1)
    void theAccessLogHasALinePerRequestNamingTheInstanceThatAnswered() {
        Matcher announced = Pattern.compile("Access log: (\\S+)").matcher(system.balancer().log());
        assertTrue(announced.find(), "the balancer names its access log at startup");
        Path accessLog = Path.of(announced.group(1));
        List<String> answeredBy = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpReply reply = TestHttp.get(system.viaBalancer("/api/operations/subtract?a=" + i + "&b=1"));
            assertEquals(200, reply.status(), reply.body());
            answeredBy.add(reply.header("X-Ruta-Instance"));
        }
        // Times to the millisecond, as log tools expect.
        Pattern line = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z 127\\.0\\.0\\.1 GET /api/operations/subtract 200 (\\S+) [0-9.]+ms retries=0");
        List<String> logged = await("six lines in the access log").atMost(Duration.ofSeconds(30))
                .until(() -> Files.readAllLines(accessLog).stream().map(line::matcher).filter(Matcher::matches)
                        .map(matched -> matched.group(1)).toList(), lines -> lines.size() == 6);
        assertEquals(answeredBy, logged);
    }

    @Test
    @Order(2)
    void aNewReplicaTakesTrafficWithinTwoSecondsOfPassing(ConsulAgent consul) {
        PayaraProcess fourth = system.startOperations("instance 4");
        instances.add(fourth);
        await("Consul passes the new replica").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> consul.api().passingInstance("operations", id(3)).isPresent());
        await("the balancer sends it a request").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> id(3).equals(TestHttp.get(system.viaBalancer("/api/operations/add?a=1&b=1")).header("X-Ruta-Instance")));

        Map<String, Long> split = split(40);
        assertEquals(Map.of(id(0), 10L, id(1), 10L, id(2), 10L, id(3), 10L), split);
    }

    @Test
    @Order(3)
    void aKilledInstanceCostsNoRequestAndLeavesTheTable() {
        PayaraProcess victim = instances.remove(3);
        int failed = 0;
        for (int i = 0; i < 500; i++) {
            if (i == 100) {
                victim.kill();
            }
            HttpReply reply = TestHttp.get(system.viaBalancer("/api/operations/multiply?a=" + i + "&b=2"));
            if (reply.status() != 200) {
                failed++;
            }
        }
        assertEquals(0, failed, "failed requests out of 500");
        system.awaitRouted("operations", ids(instances));
        victim.close();
    }

    @Test
    @Order(4)
    void aRollingRestartCostsNoRequest() {
        RequestStream stream = new RequestStream(() -> TestHttp.get(system.viaBalancer("/api/operations/add?a=1&b=2")));
        stream.start();
        try {
            for (PayaraProcess instance : instances) {
                instance.terminate();
                system.awaitRouted("operations", ids(instances).stream().filter(id -> !id.equals(LocalSystem.idOf(instance))).toList());
                instance.start();
                system.awaitRouted("operations", ids(instances));
            }
        } finally {
            stream.stop();
        }
        assertTrue(stream.sent() > 0);
        assertEquals(List.of(), stream.failures(), "failed requests out of " + stream.sent());
    }

    @Test
    @Order(5)
    void keepsRoutingWhileConsulIsDownAndFollowsItAgainAfter(ConsulAgent consul) {
        consul.stop();
        for (int i = 0; i < 30; i++) {
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/operations/add?a=1&b=" + i)).status());
        }
        // The watch notices the lost agent on its own thread, when its blocking query breaks.
        await("readiness names the Consul error").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> TestHttp.get(system.balancer().url("/health/ready")), ready -> ready.body().contains("consulError"));
        HttpReply ready = TestHttp.get(system.balancer().url("/health/ready"));
        assertEquals(200, ready.status(), "the last good table still serves: " + ready.body());

        consul.start();
        await("instances re-registered").atMost(Duration.ofMinutes(1))
                .until(() -> consul.api().passing("operations").size() == instances.size());
        await("the balancer follows the new agent").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> TestHttp.get(system.balancer().url("/health/ready")), answer -> answer.status() == 200
                        && !answer.body().contains("consulError"));
        assertEquals(Map.of(id(0), 10L, id(1), 10L, id(2), 10L), split(30));
    }

    private Map<String, Long> split(int requests) {
        Map<String, Long> split = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            HttpReply reply = TestHttp.get(system.viaBalancer("/api/operations/add?a=" + i + "&b=1"));
            assertEquals(200, reply.status(), reply.body());
            assertEquals(reply.header("X-Ruta-Instance"), reply.json().getString("instance"));
            split.merge(reply.header("X-Ruta-Instance"), 1L, Long::sum);
        }
        return split;
    }

    private String id(int index) {
        return LocalSystem.idOf(instances.get(index));
    }

    private static List<String> ids(List<PayaraProcess> processes) {
        return processes.stream().map(LocalSystem::idOf).toList();
    }

    /** Sequential requests on a background thread until stopped, keeping every failure. */
    private static final class RequestStream {
        private final java.util.function.Supplier<HttpReply> request;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger sent = new AtomicInteger();
        private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread thread;

        RequestStream(java.util.function.Supplier<HttpReply> request) {
            this.request = request;
            this.thread = new Thread(this::run, "request-stream");
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (running.get()) {
                sent.incrementAndGet();
                try {
                    HttpReply reply = request.get();
                    if (reply.status() != 200) {
                        failures.add(Instant.now() + " " + reply.status() + " from " + reply.header("X-Ruta-Instance")
                                + ": " + reply.body().substring(0, Math.min(200, reply.body().length())));
                    }
                } catch (RuntimeException e) {
                    failures.add(Instant.now() + " " + e);
                }
            }
        }

        void stop() {
            running.set(false);
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        int sent() {
            return sent.get();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }
    }
}
