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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The forwarding path itself: answers stream through as they come, request bodies are kept on
 * disk until whole, a slow instance holds no thread that others need, and beyond
 * balancer.max-in-flight the answer is a quick 503. The balancer is the real uber jar with a
 * small heap, so holding the large bodies here in memory would show; the instances are small servers in this JVM, registered in Consul.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardingPathIT {

    private static final int MAX_IN_FLIGHT = 320;
    private static final int HELD = 300;

    private final StreamingServer streams = new StreamingServer();
    private final RecordingServer sleepy = new RecordingServer("sleepy");
    private final RecordingServer steady = new RecordingServer("steady");
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private LocalSystem system;

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        system.registerInstance("streams-1", "streams", streams.port());
        system.registerInstance("sleepy-1", "sleepy", sleepy.port());
        system.registerInstance("steady-1", "steady", steady.port());
        system.startBalancerRoutingRegistered(Map.of("balancer.max-body", String.valueOf(512L * 1024 * 1024),
                "balancer.max-answer-backlog", String.valueOf(512L * 1024 * 1024),
                "balancer.max-in-flight", String.valueOf(MAX_IN_FLIGHT), "balancer.read-timeout", "2m", "balancer.connections-per-instance", "400",
                "balancer.connect-timeout", "5s"),
                "-Xmx96m");
    }

    @AfterAll
    void stop() {
        Closing.all(system, streams, sleepy, steady);
    }

    /** Payara closes a kept-alive connection after 250 requests unless told otherwise (pre-boot commands). */
    @Test
    void oneClientConnectionCarriesAnyNumberOfRequests() {
        assertEquals(600, TestHttp.answersOnOneConnection(system.balancer().port(), "/api/steady/kept-alive", 600));
    }

    @Test
    void serverSentEventsArriveOneByOne() throws IOException, InterruptedException {
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(system.viaBalancer("/api/streams/events"))
                .timeout(Duration.ofMinutes(1)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));
        try (BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            // The instance sends the second event only once the first has crossed the balancer.
            assertEquals("event: tick", events.readLine());
            assertEquals("data: 1", events.readLine());
            streams.eventsGoOn();
            assertEquals("", events.readLine());
            assertEquals("event: tick", events.readLine());
            assertEquals("data: 2", events.readLine());
        }
    }

    @Test
    void aLargeAnswerStreamsThrough() throws IOException, InterruptedException {
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(system.viaBalancer("/api/streams/download"))
                .timeout(Duration.ofMinutes(1)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        try (InputStream body = response.body()) {
            // The instance sends the rest only once its first megabyte has crossed the balancer.
            assertEquals(StreamingServer.DOWNLOAD_PART, body.readNBytes(StreamingServer.DOWNLOAD_PART).length);
            streams.downloadGoOn();
            assertEquals(StreamingServer.DOWNLOAD_SIZE - StreamingServer.DOWNLOAD_PART, body.readAllBytes().length);
        }
    }

    @Test
    void aLargeAnswerToASlowClientWaitsOnDiskNotInTheHeap() throws IOException, InterruptedException {
        long size = 200L * 1024 * 1024;
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(system.viaBalancer("/api/streams/large?mb=200"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertEquals(200, response.statusCode());
            long read = body.readNBytes(1024 * 1024).length;
            await("the instance sends its whole answer while the client reads nothing").atMost(Duration.ofMinutes(2))
                    .until(() -> streams.largeSent() == size);
            assertTrue(system.balancer().isAlive(), "the balancer ran out of memory");
            assertEquals(200, TestHttp.get(system.balancer().url("/health/ready")).status());
            assertTrue(filesOfTheBalancer("ruta-answer-") > 0, "the answer waits in a file");
            read += body.transferTo(OutputStream.nullOutputStream());
            assertEquals(size, read);
        }
        await("the answer's file deleted").atMost(Duration.ofMinutes(1)).until(() -> filesOfTheBalancer("ruta-answer-") == 0);
    }

    @Test
    void aClientThatLeavesMidAnswerLeavesNothingBehind() throws IOException, InterruptedException {
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(system.viaBalancer("/api/streams/large?mb=2000"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertEquals(1024 * 1024, body.readNBytes(1024 * 1024).length);
            await("the answer waits in a file for the client").atMost(Duration.ofMinutes(1))
                    .until(() -> filesOfTheBalancer("ruta-answer-") == 1);
        }
        await("the answer's file deleted once the client left").atMost(Duration.ofMinutes(1))
                .until(() -> filesOfTheBalancer("ruta-answer-") == 0);
        assertEquals(200, TestHttp.get(system.balancer().url("/health/ready")).status());
    }

    private long filesOfTheBalancer(String prefix) throws IOException {
        try (var files = Files.list(system.balancer().tempFolder())) {
            return files.filter(file -> file.getFileName().toString().startsWith(prefix)).count();
        }
    }

    @Test
    void aLargeUploadGoesThroughTheDiskNotTheHeap() throws IOException {
        long size = 300L * 1024 * 1024;
        UploadBody upload = new UploadBody(size, streams);
        HttpReply reply = TestHttp.send(HttpRequest.newBuilder(system.viaBalancer("/api/streams/upload"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> upload), size)));
        assertEquals(200, reply.status(), reply.body());
        assertEquals(size, reply.json().getJsonNumber("received").longValue());
        assertEquals(0, upload.seenByTheInstanceBeforeTheEnd, "the instance waited on the client");
        assertTrue(system.balancer().isAlive());
        assertEquals(0, filesOfTheBalancer("ruta-body-"), "the body's file was deleted");
    }

    @Test
    void oneClientsCookieNeverGoesOutWithAnotherClientsRequest() {
        HttpReply alice = TestHttp.get(system.viaBalancer("/api/streams/session"));
        assertEquals("session=alice; Path=/", alice.header("Set-Cookie"), "relayed to the client it belongs to");
        HttpReply bob = TestHttp.get(system.viaBalancer("/api/streams/session"));
        assertEquals("", bob.json().getString("cookie"), "the balancer kept alice's cookie and sent it with bob's request");
    }

    @Test
    void aSlowInstanceTakesNoThreadFromTheOthers() {
        whileTheSleepyInstanceHolds(HELD, () -> {
            HttpReply reply = TestHttp.get(system.viaBalancer("/api/steady/ping"));
            assertEquals(200, reply.status(), reply.body());
            assertEquals("steady-1", reply.header("X-Ruta-Instance"));
            assertEquals(200, TestHttp.get(system.balancer().url("/health/ready")).status());
        });
    }

    @Test
    void beyondTheInFlightLimitTheAnswerIsOverloaded() {
        whileTheSleepyInstanceHolds(MAX_IN_FLIGHT, () -> {
            HttpReply reply = TestHttp.get(system.viaBalancer("/api/steady/ping"));
            assertEquals(503, reply.status(), reply.body());
            assertEquals("overloaded", reply.json().getString("error"));
            assertEquals("1", reply.header("Retry-After"));
        });
        assertEquals(200, TestHttp.get(system.viaBalancer("/api/steady/ping")).status(), "served again once they finished");
    }

    /** Runs the check while the sleepy instance holds that many requests, then lets them all answer. */
    private void whileTheSleepyInstanceHolds(int count, Runnable check) {
        sleepy.holdAnswers();
        int before = sleepy.received().size();
        List<CompletableFuture<HttpResponse<String>>> held = sendHeld(count);
        try {
            await("the sleepy instance holds " + count + " requests").atMost(Duration.ofMinutes(1))
                    .until(() -> sleepy.received().size() - before, received -> received == count);
            check.run();
        } finally {
            sleepy.release();
        }
        held.forEach(future -> assertEquals(200, future.join().statusCode()));
    }

    private List<CompletableFuture<HttpResponse<String>>> sendHeld(int count) {
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            held.add(client.sendAsync(HttpRequest.newBuilder(system.viaBalancer("/api/sleepy/work/" + i))
                    .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        return held;
    }


    /**
     * A body of ones, three times the balancer's heap, that notes how much of it the instance had
     * received just before its last megabyte went out: a balancer that streamed bodies would have
     * passed most of it on by then.
     */
    private static final class UploadBody extends InputStream {

        private static final int LAST_PART = 1024 * 1024;

        private final long size;
        private final StreamingServer instance;
        private long sent;
        private volatile long seenByTheInstanceBeforeTheEnd = -1;

        UploadBody(long size, StreamingServer instance) {
            this.size = size;
            this.instance = instance;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (sent >= size) {
                return -1;
            }
            if (sent == size - LAST_PART) {
                seenByTheInstanceBeforeTheEnd = instance.uploaded();
            }
            long limit = sent < size - LAST_PART ? size - LAST_PART : size;
            int count = (int) Math.min(length, limit - sent);
            Arrays.fill(buffer, offset, offset + count, (byte) '1');
            sent += count;
            return count;
        }
    }
}
