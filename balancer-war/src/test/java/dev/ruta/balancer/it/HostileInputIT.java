package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What one bad request, one slow client, one huge body or one odd registry entry does to
 * everyone else: each gets its own clear 4xx, and no instance is ejected, no instance runs out
 * of memory, and ordinary requests go on being served. Real uber jars, real Consul.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {

    private static final int SLOW_CLIENTS = 220;

    private LocalSystem system;
    private List<PayaraProcess> instances;
    private final RecordingServer steady = new RecordingServer("steady");
    private final RecordingServer oddsNeighbourA = new RecordingServer("hostile-a");
    private final RecordingServer oddsNeighbourB = new RecordingServer("hostile-b");

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        system.registerInstance("steady-1", "steady", steady.port());
        for (int i = 1; i <= 2; i++) {
            system.startOperations("Hola " + i);
        }
        system.startBalancerRoutingRegistered(Map.of("balancer.body-timeout", "5s", "balancer.max-subscribers", "2",
                "balancer.events.heartbeat", "1s"));
        instances = system.operations();
        instances.forEach(instance -> instance.awaitUp("/api/instance"));
        system.awaitRouted("operations", instances.stream().map(LocalSystem::idOf).toList());
    }

    @AfterAll
    void stop() {
        Closing.all(system, steady, oddsNeighbourA, oddsNeighbourB);
    }

    @Test
    void aPathNoClientCouldSendOnIsTheClientsErrorAndEjectsNoInstance() {
        HttpReply reply = TestHttp.rawGet(system.balancer().port(), "/api/operations/a|b");
        assertEquals(400, reply.status(), reply.body());
        assertEquals("invalid-path", reply.json().getString("error"));
        assertFalse(reply.body().contains("127.0.0.1"), "no internal address: " + reply.body());
        HttpReply badType = TestHttp.send(java.net.http.HttpRequest.newBuilder(system.viaBalancer("/api/operations/add"))
                .header("Content-Type", "not a/media/type").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(400, badType.status(), badType.body());
        assertEquals("invalid-header", badType.json().getString("error"));
        assertNoInstanceEjected();
        assertEquals(200, TestHttp.get(system.viaBalancer("/api/operations/add?a=1&b=2")).status());
    }

    @Test
    void dotSegmentsWithParametersCannotLeaveTheService() {
        for (String path : List.of("/api/operations/x/..;/..;/instance", "/api/operations/x/.;/..;x/instance")) {
            HttpReply reply = TestHttp.rawGet(system.balancer().port(), path);
            assertEquals(400, reply.status(), path + " answered " + reply.body());
            assertEquals("invalid-path", reply.json().getString("error"));
            assertNull(reply.header("X-Ruta-Instance"), "it reached an instance");
        }
    }

    @Test
    void traceIsAJson405OnEveryPath() {
        for (String path : List.of("/api/operations/add", "/", "/balancer/services")) {
            HttpReply reply = TestHttp.method(system.balancer().url(path), "TRACE");
            assertEquals(405, reply.status(), path + " answered " + reply.body());
            assertEquals("method-not-allowed", reply.json().getString("error"), path);
        }
    }

    @Test
    void aPathNothingServesIsAJson404() {
        HttpReply reply = TestHttp.get(system.balancer().url("/nope"));
        assertEquals(404, reply.status(), reply.body());
        assertTrue(reply.header("Content-Type").startsWith("application/json"), reply.header("Content-Type"));
        assertEquals("not-found", reply.json().getString("error"));
    }

    @Test
    void encodedDotSegmentsReachNoOtherEndpointOfTheBalancer() {
        for (String path : List.of("/api/operations/%2e%2e/%2e%2e/health/ready", "/api/operations/%2E%2e/%2e%2E/balancer/services",
                "/api/operations/.%2e/%2e./metrics", "/api/operations/%2e%2e;x/%2e%2e/openapi", "/api/operations/%2e/add")) {
            HttpReply reply = TestHttp.rawGet(system.balancer().port(), path);
            assertEquals(400, reply.status(), path + " answered " + reply.body());
            assertEquals("invalid-path", reply.json().getString("error"));
        }
    }

    @Test
    void aHugeBodyIsRefusedByTheInstanceWithoutReadingIt() {
        PayaraProcess instance = instances.get(0);
        String head = "POST /api/operations/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\n";
        HttpReply declared = RawHttp.exchange(instance.port(), head + "Content-Length: 400000000\r\n\r\n",
                out -> writeOnes(out, 400_000_000L));
        assertEquals(413, declared.status(), declared.body());
        assertEquals("body-too-large", declared.json().getString("error"));

        HttpReply chunked = RawHttp.exchange(instance.port(), head + "Transfer-Encoding: chunked\r\n\r\n", out -> {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) '1');
            for (long sent = 0; sent < 400_000_000L; sent += chunk.length) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        });
        assertEquals(413, chunked.status(), chunked.body());
        assertEquals("body-too-large", chunked.json().getString("error"));

        assertTrue(instance.isAlive());
        assertFalse(instance.log().contains("OutOfMemoryError"), "the instance ran out of memory");
        assertEquals(200, TestHttp.post(instance.url("/api/operations/add"), "{\"a\":1,\"b\":2}").status());
    }

    @Test
    void aRefusedHugeBodyIsNotReadToTheEndToKeepTheConnection() {
        // Without Connection: close the server could keep the connection by reading the rest.
        String head = "POST /api/operations/add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 400000000\r\n\r\n";
        for (int port : List.of(instances.get(0).port(), system.balancer().port())) {
            AtomicLong sent = new AtomicLong();
            CountDownLatch writerDone = new CountDownLatch(1);
            try (Socket socket = RawHttp.open(port)) {
                RawHttp.start(socket, head, out -> {
                    try {
                        byte[] chunk = new byte[64 * 1024];
                        Arrays.fill(chunk, (byte) '1');
                        while (sent.get() < 400_000_000L) {
                            out.write(chunk);
                            sent.addAndGet(chunk.length);
                        }
                    } finally {
                        writerDone.countDown();
                    }
                });
                HttpReply reply = RawHttp.answer(socket);
                assertEquals(413, reply.status(), reply.body());
                await("the client stops sending, or is stopped").atMost(Duration.ofMinutes(2))
                        .until(() -> writerDone.getCount() == 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertTrue(sent.get() < 400_000_000L, "the server on port " + port + " read the whole refused body");
        }
    }

    @Test
    void slowClientsDoNotTakeTheBalancerFromEveryoneElse() throws IOException {
        List<Socket> slow = new ArrayList<>();
        try {
            // A small body, declared and then never sent: the client sends one byte and waits.
            slow.addAll(stalledUploads(SLOW_CLIENTS, "/api/steady/upload", 1000, 1));
            HttpReply ordinary = TestHttp.get(system.viaBalancer("/api/steady/ping"));
            assertEquals(200, ordinary.status(), ordinary.body());
            assertEquals(200, TestHttp.get(system.balancer().url("/health/ready")).status());

            HttpReply late = RawHttp.answer(slow.get(0));
            assertEquals(408, late.status(), late.body());
            assertEquals("body-timeout", late.json().getString("error"));
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
        assertTrue(steady.received().stream().noneMatch(r -> r.pathAndQuery().endsWith("/upload")),
                "no half-sent body reached the instance");
    }

    @Test
    void slowClientsWithLargeBodiesHoldNoThreadAndNoInstance() throws IOException {
        int clients = 60;
        List<Socket> slow = new ArrayList<>();
        try {
            // 100 KB at once, so the body goes to disk; the other 400 KB never come.
            slow.addAll(stalledUploads(clients, "/api/steady/large", 500_000, 100_000));
            await("every slow body partly on disk").atMost(Duration.ofMinutes(1))
                    .until(() -> bodyFilesOf(system.balancer()) == clients);
            assertEquals(0, threadsWaitingOnARequestBody(system.balancer()), "threads wait on slow clients");
            HttpReply ordinary = TestHttp.get(system.viaBalancer("/api/steady/ping"));
            assertEquals(200, ordinary.status(), ordinary.body());
            assertEquals(200, TestHttp.get(system.balancer().url("/health/ready")).status());

            HttpReply late = RawHttp.answer(slow.get(0));
            assertEquals(408, late.status(), late.body());
            assertEquals("body-timeout", late.json().getString("error"));
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
        assertTrue(steady.received().stream().noneMatch(r -> r.pathAndQuery().endsWith("/large")),
                "no half-sent body reached the instance");
        await("the slow bodies' files deleted").atMost(Duration.ofMinutes(1))
                .until(() -> bodyFilesOf(system.balancer()) == 0);
    }

    @Test
    void aBodyBoundForNoServiceIsNotWaitedFor() throws IOException {
        // The client declares 10 MB and stalls after 1 KB: had the balancer waited for the body
        // first, it would answer 408 once balancer.body-timeout ran out.
        List<Socket> clients = stalledUploads(1, "/api/nowhere/x", 10_000_000, 1024);
        try {
            HttpReply reply = RawHttp.answer(clients.get(0));
            assertEquals(404, reply.status(), reply.body());
            assertEquals("unknown-service", reply.json().getString("error"));
        } finally {
            clients.get(0).close();
        }
    }

    /** Threads of the server blocked in reading a request body, from a thread dump. */
    private static long threadsWaitingOnARequestBody(PayaraProcess server) throws IOException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(server.pid()), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return Arrays.stream(dump.split("\n\n"))
                .filter(thread -> thread.contains("CoyoteInputStream.read") || thread.contains("InputBuffer.read"))
                .count();
    }

    private static long bodyFilesOf(PayaraProcess server) throws IOException {
        try (var files = Files.list(server.tempFolder())) {
            return files.filter(file -> file.getFileName().toString().startsWith("ruta-body-")).count();
        }
    }

    /** Clients that declare a body of {@code declared} bytes, send the first {@code sent} of it, and stop there. */
    private List<Socket> stalledUploads(int count, String path, int declared, int sent) {
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Socket socket = RawHttp.open(system.balancer().port());
            RawHttp.start(socket, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + declared + "\r\n\r\n", out -> out.write(new byte[sent]));
            sockets.add(socket);
        }
        return sockets;
    }

    @Test
    void anOddRegistryEntryIsSkippedAndTheServiceKeepsFollowingConsul(ConsulAgent consul) {
        system.registerInstance("hostile-a", "hostile", oddsNeighbourA.port());
        system.register("odd", "{\"ID\":\"odd\",\"Name\":\"hostile\",\"Address\":\"bad host\",\"Port\":8081,"
                + "\"Tags\":[\"balanced\"]}");
        system.registerInstance("hostile-b", "hostile", oddsNeighbourB.port());
        system.awaitRouted("hostile", List.of("hostile-a", "hostile-b"));

        consul.api().deregister("hostile-b");
        system.awaitRouted("hostile", List.of("hostile-a"));
        assertEquals(200, TestHttp.get(system.viaBalancer("/api/hostile/x")).status());

        String log = system.balancer().log();
        assertEquals(1, log.lines().filter(line -> line.contains("Not routing instance odd")).count(), "named once");
        int error = log.indexOf("Unexpected error in the Consul");
        assertEquals(-1, error, () -> "the watch kept following; the balancer logged:\n"
                + log.substring(error, Math.min(log.length(), error + 4000)));
    }

    @Test
    void eventSubscribersAreCappedAndTheDeadAreDropped() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest events = HttpRequest.newBuilder(system.balancer().url("/balancer/events")).build();
        HttpResponse<InputStream> first = client.send(events, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> second = client.send(events, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, first.statusCode());
        assertEquals(200, second.statusCode());
        first.body().readNBytes(1);

        HttpReply third = TestHttp.get(system.balancer().url("/balancer/events"));
        assertEquals(503, third.status(), third.body());
        assertEquals("overloaded", third.json().getString("error"));
        assertEquals("5", third.header("Retry-After"));
        HttpReply post = TestHttp.send(HttpRequest.newBuilder(system.balancer().url("/balancer/events"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(405, post.status(), post.body());
        assertEquals("method-not-allowed", post.json().getString("error"));
        assertEquals("GET, HEAD", post.header("Allow"));

        // A subscriber that goes away is found by the next heartbeat, and its place is free again.
        first.body().close();
        await("a place is free again").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<InputStream> again = client.send(events, HttpResponse.BodyHandlers.ofInputStream());
            again.body().close();
            return again.statusCode() == 200;
        });
        second.body().close();
    }

    private static void writeOnes(java.io.OutputStream out, long total) throws IOException {
        byte[] part = new byte[64 * 1024];
        Arrays.fill(part, (byte) '1');
        for (long sent = 0; sent < total; sent += part.length) {
            out.write(part);
        }
    }

    private void assertNoInstanceEjected() {
        JsonObject operations = system.serviceStatus("operations");
        operations.getJsonArray("instances").forEach(value -> {
            JsonObject instance = value.asJsonObject();
            assertFalse(instance.containsKey("ejectedUntil") && !instance.isNull("ejectedUntil"), instance.toString());
            assertEquals(0, instance.getJsonNumber("failures").longValue(), instance.toString());
        });
    }

}
