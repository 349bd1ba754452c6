package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.DroppingServer;
import dev.ruta.testing.FreePorts;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The balancer against instances that fail on purpose: one that refuses connections, one that
 * drops a request after receiving it, one Consul never passes. The instances are small servers
 * in this JVM, registered in the real Consul agent; the balancer is the real uber jar.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureHandlingIT {

    private static final String BODY = "{\"a\": 2, \"b\": 3}";

    private LocalSystem system;
    private final RecordingServer retryTarget = new RecordingServer("retry-target");
    private final RecordingServer steady = new RecordingServer("steady");
    private final DroppingServer dropping = new DroppingServer();
    private final RecordingServer slow = new RecordingServer("slow");
    private final RecordingServer timed = new RecordingServer("timed");
    private final int refusingPort = FreePorts.next();

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        system.registerInstance("refusing-1", "flaky", refusingPort);
        system.registerInstance("retry-target-1", "flaky", retryTarget.port());
        system.registerInstance("dropping-1", "dropping", dropping.port());
        system.registerInstance("steady-1", "dropping", steady.port());
        system.registerInstance("slow-1", "slow", slow.port());
        system.registerInstance("lonely-1", "lonely", FreePorts.next());
        system.registerInstance("timed-1", "timed", timed.port());
        system.register("down-1", "{\"ID\":\"down-1\",\"Name\":\"down\",\"Address\":\"127.0.0.1\",\"Port\":"
                + FreePorts.next() + ",\"Tags\":[\"balanced\"],\"Check\":{\"HTTP\":\"http://127.0.0.1:"
                + FreePorts.next() + "/health\",\"Interval\":\"1s\",\"Status\":\"critical\"}}");
        system.startBalancerRoutingRegistered(Map.of("balancer.max-body", "1024", "balancer.read-timeout", "2s"));
    }

    @AfterAll
    void stop() {
        Closing.all(system, retryTarget, steady, dropping, slow, timed);
    }

    @Test
    void eachMetricHasItsHelpAndTheRequestTimeAgreesWithItsUnit() {
        long started = System.nanoTime();
        assertEquals(200, TestHttp.get(system.viaBalancer("/api/timed/x")).status());
        double clientMicros = (System.nanoTime() - started) / 1000.0;
        String metrics = TestHttp.get(system.balancer().url("/metrics")).body();
        // Retries and ejections appear with the first of them; these three with the first request.
        for (String help : List.of("ruta_upstream_requests_total", "ruta_upstream_failures_total",
                "ruta_upstream_request_time_microseconds")) {
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith("# HELP " + help + " ") && line.length() > help.length() + 12),
                    "help text for " + help);
        }
        List<String> withoutHelp = metrics.lines().filter(line -> line.startsWith("# TYPE ruta_"))
                .map(line -> line.split(" ")[2])
                .filter(family -> metrics.lines().noneMatch(line -> line.startsWith("# HELP " + family + " ")))
                .toList();
        assertEquals(List.of(), withoutHelp, "every ruta_ family has its # HELP");
        double sum = valueOf(metrics, "ruta_upstream_request_time_microseconds_sum", "timed");
        double max = valueOf(metrics, "ruta_upstream_request_time_microseconds_max", "timed");
        double median = valueOf(metrics, "ruta_upstream_request_time_microseconds{", "timed-1\",mp_scope=\"application\",service=\"timed\",quantile=\"0.5\"");
        assertEquals(1.0, valueOf(metrics, "ruta_upstream_request_time_microseconds_count", "timed"));
        assertEquals(sum, max, "one request: its sum and its max are the same figure, in the same unit");
        assertEquals(sum, median, "and so is its median");
        assertTrue(sum > 0 && sum <= clientMicros, "within what the client measured: " + sum + " <= " + clientMicros + " µs");
    }

    private static double valueOf(String metrics, String prefix, String containing) {
        return metrics.lines().filter(line -> line.startsWith(prefix) && line.contains(containing))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(prefix + " with " + containing + " missing"));
    }

    @Test
    void aRetryIsCountedOnlyWhenAnotherInstanceIsTried() {
        assertEquals(502, TestHttp.get(system.viaBalancer("/api/lonely/x")).status());
        assertEquals(502, TestHttp.post(system.viaBalancer("/api/lonely/x"), BODY).status());
        String metrics = TestHttp.get(system.balancer().url("/metrics")).body();
        List<String> retries = metrics.lines().filter(line -> line.startsWith("ruta_retries") && line.contains("lonely")).toList();
        assertTrue(retries.stream().allMatch(line -> line.endsWith(" 0") || line.endsWith(" 0.0")),
                "no other instance was tried, so no retry: " + retries);
    }

    @Test
    void aPostRefusedByOneInstanceIsRetriedOnAnother() {
        for (int i = 0; i < 4; i++) {
            HttpReply reply = TestHttp.post(system.viaBalancer("/api/flaky/things"), BODY);
            assertEquals(200, reply.status(), reply.body());
            assertEquals("retry-target-1", reply.header("X-Ruta-Instance"));
        }
        assertEquals(4, retryTarget.received().stream().filter(r -> r.method().equals("POST") && r.body().equals(BODY)).count(),
                "each POST arrived exactly once, body unchanged");
        assertTrue(failuresOf("flaky", "refusing-1") >= 1, "the refusing instance was tried");
    }

    @Test
    void aPostThatReachedAFailingInstanceIsNotRetried() {
        int badGateways = 0;
        int ok = 0;
        for (int i = 0; i < 4; i++) {
            HttpReply reply = TestHttp.post(system.viaBalancer("/api/dropping/orders"), BODY);
            if (reply.status() == 502) {
                badGateways++;
                assertEquals("bad-gateway", reply.json().getString("error"));
            } else {
                assertEquals(200, reply.status(), reply.body());
                ok++;
            }
        }
        long steadyPosts = steady.received().stream().filter(r -> r.method().equals("POST")).count();
        assertTrue(dropping.received() >= 1, "round-robin sent at least one POST to the dropping instance");
        assertEquals(dropping.received(), badGateways, "every POST the dropping instance swallowed failed, none retried");
        assertEquals(ok, steadyPosts);
        assertEquals(4, dropping.received() + steadyPosts, "no POST was delivered twice");
    }

    @Test
    void aPatchThatReachedAFailingInstanceIsSeenByItOnce() {
        // Another test may have just ejected it.
        await("dropping-1 back in the rotation").atMost(Duration.ofMinutes(1)).until(() -> !isEjected("dropping", "dropping-1"));
        int droppedBefore = dropping.received();
        long steadyBefore = steady.received().stream().filter(r -> r.method().equals("PATCH")).count();
        int badGateways = 0;
        for (int i = 0; i < 4; i++) {
            HttpReply reply = TestHttp.send(HttpRequest.newBuilder(system.viaBalancer("/api/dropping/orders/7"))
                    .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(BODY)));
            if (reply.status() == 502) {
                badGateways++;
                assertEquals("bad-gateway", reply.json().getString("error"));
                assertTrue(!reply.body().contains("127.0.0.1"), "no internal address: " + reply.body());
            } else {
                assertEquals(200, reply.status(), reply.body());
            }
        }
        long steadyPatches = steady.received().stream().filter(r -> r.method().equals("PATCH")).count() - steadyBefore;
        assertTrue(dropping.received() > droppedBefore, "round-robin sent at least one PATCH to the dropping instance");
        assertEquals(dropping.received() - droppedBefore, badGateways, "each PATCH it swallowed failed, none sent again");
        assertEquals(4, dropping.received() - droppedBefore + steadyPatches, "no PATCH was delivered twice");
    }

    @Test
    void forwardsMethodPathQueryBodyAndHeadersUnchanged() {
        HttpReply reply = TestHttp.send(HttpRequest.newBuilder(system.viaBalancer("/api/flaky/echo/a%20b?x=1&y=%2B&x=2"))
                .header("X-Custom", "v1").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString("payload")));
        assertEquals(200, reply.status(), reply.body());
        assertEquals("kept", reply.header("X-Upstream-Header"));
        assertEquals(List.of("recording-server"), reply.headers().allValues("Server"), "the instance's Server field, once");
        RecordingServer.Received received = retryTarget.received().get(retryTarget.received().size() - 1);
        assertEquals("PUT", received.method());
        assertEquals("/api/flaky/echo/a%20b?x=1&y=%2B&x=2", received.pathAndQuery());
        assertEquals("payload", received.body());
        assertEquals("v1", received.headers().getFirst("X-Custom"));
        assertEquals("text/plain", received.headers().getFirst("Content-Type"));
        assertEquals("127.0.0.1", received.headers().getFirst("X-Forwarded-For"));
        assertEquals("127.0.0.1:" + system.balancer().port(), received.headers().getFirst("X-Forwarded-Host"));
        assertEquals("http", received.headers().getFirst("X-Forwarded-Proto"));
    }

    @Test
    void aRequestWithoutAUserAgentGetsNoneOnTheWay() {
        HttpReply reply = RawHttp.exchange(system.balancer().port(), "GET /api/flaky/anonymous HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n", out -> { });
        assertEquals(200, reply.status(), reply.body());
        RecordingServer.Received received = retryTarget.received().get(retryTarget.received().size() - 1);
        assertEquals("/api/flaky/anonymous", received.pathAndQuery());
        assertEquals(List.of(), received.headers().getOrDefault("User-Agent", List.of()),
                "the REST client's own (Jersey and its version) is not added");
    }

    @Test
    void aClientsTraceContextReachesTheInstanceAsItWasSent() {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assertEquals(200, TestHttp.send(HttpRequest.newBuilder(system.viaBalancer("/api/flaky/traced"))
                .header("traceparent", traceparent)).status());
        RecordingServer.Received received = retryTarget.received().get(retryTarget.received().size() - 1);
        assertEquals(List.of(traceparent), received.headers().getOrDefault("traceparent", List.of()),
                "with OpenTelemetry off the balancer neither replaces nor adds to it");
        assertEquals(200, TestHttp.get(system.viaBalancer("/api/flaky/untraced")).status());
        received = retryTarget.received().get(retryTarget.received().size() - 1);
        assertEquals(List.of(), received.headers().getOrDefault("traceparent", List.of()), "nor starts a trace of its own");
    }

    @Test
    void anInstanceThatAnswersTooLateIsAGatewayTimeout() {
        slow.holdAnswers();
        try {
            HttpReply reply = TestHttp.get(system.viaBalancer("/api/slow/report"));
            assertEquals(504, reply.status(), reply.body());
            assertEquals("upstream-timeout", reply.json().getString("error"));
            assertEquals(1, slow.received().size(), "a read timeout is not retried");
        } finally {
            slow.release();
        }
    }

    @Test
    void recordsMetricsPerInstanceRetriesAndEjections() {
        TestHttp.post(system.viaBalancer("/api/flaky/things"), BODY);
        TestHttp.post(system.viaBalancer("/api/flaky/things"), BODY);
        String metrics = TestHttp.get(system.balancer().url("/metrics")).body();
        for (String metric : List.of("ruta_upstream_requests", "ruta_upstream_request_time", "ruta_retries", "ruta_ejections")) {
            assertTrue(metrics.contains(metric), metric + " missing from /metrics");
        }
        assertTrue(metrics.contains("instance=\"retry-target-1\""), "tagged by instance");
    }

    @Test
    void forwardsPatchLikeAnyOtherMethod() {
        HttpReply reply = TestHttp.send(HttpRequest.newBuilder(system.viaBalancer("/api/flaky/things/7"))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
        assertEquals(200, reply.status(), reply.body());
        RecordingServer.Received received = retryTarget.received().get(retryTarget.received().size() - 1);
        assertEquals("PATCH", received.method());
        assertEquals("{\"a\":1}", received.body());
    }

    @Test
    void anUnknownServiceIsNotFound() {
        HttpReply reply = TestHttp.get(system.viaBalancer("/api/no-such-service/x"));
        assertEquals(404, reply.status());
        assertEquals("unknown-service", reply.json().getString("error"));
        assertEquals(List.of(), reply.headers().allValues("Server"), "the balancer names no software of its own");
    }

    @Test
    void aServiceWithNoPassingInstanceIsUnavailableWithRetryAfter() {
        HttpReply reply = await("the balancer knows the service 'down'").atMost(Duration.ofSeconds(30))
                .until(() -> TestHttp.get(system.viaBalancer("/api/down/x")), r -> r.status() != 404);
        assertEquals(503, reply.status(), reply.body());
        assertEquals("no-instance", reply.json().getString("error"));
        assertEquals("1", reply.header("Retry-After"));
    }

    @Test
    void anOversizedBodyIsRefused() {
        HttpReply reply = TestHttp.post(system.viaBalancer("/api/flaky/things"), "x".repeat(1025));
        assertEquals(413, reply.status());
        assertEquals("body-too-large", reply.json().getString("error"));
        assertTrue(retryTarget.received().stream().noneMatch(r -> r.body().length() > 1024));
    }

    @Test
    void pathsCannotEscapeTheService() {
        int before = retryTarget.received().size();
        for (String path : List.of("/api/flaky/..%2F..%2Fsecret", "/api/flaky/%2e%2e/%2e%2e/secret", "/api/flaky/a%2Fb",
                "/api/flaky/..%5Csecret")) {
            HttpReply reply = TestHttp.get(URI.create("http://127.0.0.1:" + system.balancer().port() + path));
            assertNotEquals(200, reply.status(), path + " answered " + reply.body());
        }
        HttpReply malformedQuery = TestHttp.rawGet(system.balancer().port(), "/api/flaky/add?a=%zz&b=1");
        assertEquals(400, malformedQuery.status(), malformedQuery.body());
        assertEquals("invalid-path", malformedQuery.json().getString("error"));
        assertEquals(before, retryTarget.received().size(), "none of them reached an instance");
        assertEquals(0, failuresOf("flaky", "retry-target-1"), "a client's mistake ejects no instance");
        assertTrue(retryTarget.received().stream().allMatch(r -> r.pathAndQuery().startsWith("/api/flaky/")));
    }

    private boolean isEjected(String service, String id) {
        return system.serviceStatus(service).getJsonArray("instances").stream()
                .map(value -> value.asJsonObject())
                .filter(instance -> id.equals(instance.getString("id")))
                .anyMatch(instance -> instance.containsKey("ejectedUntil") && !instance.isNull("ejectedUntil"));
    }

    private long failuresOf(String service, String id) {
        return system.serviceStatus(service).getJsonArray("instances").stream()
                .map(value -> value.asJsonObject())
                .filter(instance -> id.equals(instance.getString("id")))
                .mapToLong(instance -> instance.getJsonNumber("failures").longValue())
                .sum();
    }
}
