package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The balancer shields its clients from instances that break HTTP: each fault of
 * {@link MisbehavingServer} ends in a bounded answer to the client, and the balancer lets go of
 * the instance's connection. The balancer is the real uber jar with a small heap and a short
 * read timeout; the instances are raw sockets in this JVM, registered in the real Consul agent.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstanceFaultsIT {

    private final MisbehavingServer faults = new MisbehavingServer();
    private final RecordingServer echo = new RecordingServer("echo");
    private LocalSystem system;

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        for (String fault : MisbehavingServer.FAULTS) {
            system.registerInstance(fault + "-1", fault, faults.port());
        }
        system.registerInstance("echo-1", "echo", echo.port());
        system.startBalancerRoutingRegistered(Map.of("balancer.read-timeout", "2s", "balancer.retries", "0",
                "balancer.write-timeout", "2s", "balancer.body-timeout", "10m",
                "balancer.max-answer-backlog", String.valueOf(64L * 1024 * 1024)), "-Xmx128m");
    }

    @AfterAll
    void stop() {
        Closing.all(system, faults, echo);
    }

    @Test
    void anAnswerCutShortOfItsLengthReachesTheClientCutNeverWhole() throws IOException {
        try (Socket socket = request("GET /api/cut-length/file HTTP/1.1\r\nHost: localhost\r\n\r\n")) {
            Answer answer = Answer.readUntilClose(socket.getInputStream());
            assertEquals(200, answer.status());
            assertTrue(answer.head().contains("Content-Length: 200000"), answer.head());
            assertTrue(answer.bodyLength() < 200_000, "the client's answer is cut: " + answer.bodyLength() + " bytes");
        }
        assertTrue(failuresOf("cut-length") >= 1, "counted as the instance's failure");
    }

    @Test
    void aChunkedAnswerWithoutItsLastChunkReachesTheClientWithoutOneEither() throws IOException {
        try (Socket socket = request("GET /api/cut-chunked/file HTTP/1.1\r\nHost: localhost\r\n\r\n")) {
            Answer answer = Answer.readUntilClose(socket.getInputStream());
            assertEquals(200, answer.status());
            assertTrue(answer.head().toLowerCase().contains("transfer-encoding: chunked"), answer.head());
            assertFalse(answer.body().endsWith("0\r\n\r\n"), "no last chunk: the client can tell the answer is cut");
        }
    }

    @Test
    void anInstancesOwn503ReachesTheClientWholeWhenNoOtherInstanceIsLeft() {
        long failuresBefore = failuresOf("unavailable");
        HttpReply reply = TestHttp.get(system.viaBalancer("/api/unavailable/work"));
        assertEquals(503, reply.status(), reply.body());
        assertEquals(MisbehavingServer.UNAVAILABLE_BODY, reply.body());
        assertEquals("7", reply.header("Retry-After"));
        assertEquals("unavailable-1", reply.header("X-Ruta-Instance"));
        assertTrue(failuresOf("unavailable") > failuresBefore, "counted as the instance's failure");
        await("the instance's connection closed").atMost(Duration.ofMinutes(1))
                .until(() -> faults.openConnectionsTo("unavailable"), open -> open == 0);
    }

    @Test
    void exchangesWithAHungInstanceEndIn504AndItsConnectionsAreClosed() {
        List<CompletableFuture<HttpReply>> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            requests.add(CompletableFuture.supplyAsync(() -> TestHttp.get(system.viaBalancer("/api/hung/work"))));
        }
        requests.forEach(request -> {
            HttpReply reply = request.join();
            assertEquals(504, reply.status(), reply.body());
            assertEquals("upstream-timeout", reply.json().getString("error"));
        });
        await("the hung instance's connections closed").atMost(Duration.ofMinutes(1))
                .until(() -> faults.openConnectionsTo("hung"), open -> open == 0);
        assertEquals(0, inFlightOf("hung"), "no exchange with the hung instance counts as in flight");
    }

    @Test
    void whenTheClientOfAFloodLeavesTheInstancesConnectionIsAbortedAndTheBacklogDeleted() throws IOException {
        try (Socket socket = request("GET /api/flood/stream HTTP/1.1\r\nHost: localhost\r\n\r\n")) {
            InputStream in = socket.getInputStream();
            byte[] some = new byte[256 * 1024];
            int read = 0;
            while (read < some.length) {
                read += in.read(some, read, some.length - read);
            }
        }
        await("the flood's connection aborted").atMost(Duration.ofMinutes(1)).until(faults::floodsBrokenOff, n -> n >= 1);
        await("no answer backlog left").atMost(Duration.ofMinutes(1)).until(() -> filesOfTheBalancer("ruta-answer-") == 0);
    }

    @Test
    void aClientThatStopsReadingWithoutClosingHasItsAnswerCutAndTheBacklogDeleted() throws IOException {
        try (Socket socket = new Socket()) {
            // A small window, so the answer waits in the balancer, not in this socket's buffer.
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), system.balancer().port()));
            socket.setSoTimeout(120_000);
            socket.getOutputStream().write("GET /api/large/file HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await("the answer waits in a backlog file").atMost(Duration.ofMinutes(1))
                    .until(() -> filesOfTheBalancer("ruta-answer-") == 1);
            await("the stalled answer cut and its file deleted").atMost(Duration.ofMinutes(1))
                    .until(() -> filesOfTheBalancer("ruta-answer-") == 0);
            Answer answer = Answer.readUntilClose(socket.getInputStream());
            assertEquals(200, answer.status());
            assertTrue(answer.bodyLength() < MisbehavingServer.LARGE, "cut: " + answer.bodyLength() + " bytes");
        }
    }

    /** Not an instance's fault, but the same rule: a refused request ends, its connection too. */
    @Test
    void aRefusedConnectIsAnsweredAndItsConnectionClosed() throws IOException {
        try (Socket socket = request("CONNECT /api/echo/x HTTP/1.1\r\nHost: localhost\r\n\r\n")) {
            // The body timeout is 10 minutes here: an answer left open would outlast the socket's timeout.
            Answer answer = Answer.readUntilClose(socket.getInputStream());
            assertEquals(405, answer.status(), answer.head());
            assertTrue(answer.body().contains("method-not-allowed"), answer.body());
        }
    }

    @Test
    void anAnswerThatIsNotHttpIs502AndTheInstanceIsEjected() {
        HttpReply reply = TestHttp.get(system.viaBalancer("/api/garbage/thing"));
        assertEquals(502, reply.status(), reply.body());
        assertEquals("bad-gateway", reply.json().getString("error"));
        assertTrue(isEjected("garbage"), "ejected like an instance that refused");
    }

    @Test
    void aStatusOutside100To599Is502() {
        HttpReply reply = TestHttp.get(system.viaBalancer("/api/odd-status/thing"));
        assertEquals(502, reply.status(), reply.body());
    }

    @Test
    void interimAnswersAreReadPastAndTheFinalOneRelayed() {
        HttpReply reply = TestHttp.get(system.viaBalancer("/api/interim/thing"));
        assertEquals(200, reply.status(), reply.body());
        assertEquals(MisbehavingServer.INTERIM_BODY, reply.body());
    }

    @Test
    void anEventStreamFramedByClosingStreamsEventByEvent() throws IOException {
        try (Socket socket = request("GET /api/until-close/events HTTP/1.1\r\nHost: localhost\r\n\r\n")) {
            InputStream in = socket.getInputStream();
            String head = TestHttp.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            String first = readUntil(in, "data: 1");
            assertTrue(first.contains("event: tick"), "the first event arrived before the instance sent the second");
            faults.sendSecondEvent();
            String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(rest.contains("data: 2"), rest);
            assertTrue(rest.endsWith("0\r\n\r\n"), "the stream ended cleanly when the instance closed: " + rest);
        }
    }

    @Test
    void aPostExpecting100ContinueGetsItFromTheBalancerAndExpectIsNotForwarded() throws IOException {
        String body = "{\"a\": 2, \"b\": 3}";
        try (Socket socket = request("POST /api/echo/sum HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n")) {
            InputStream in = socket.getInputStream();
            String interim = TestHttp.readHead(in);
            assertTrue(interim.startsWith("HTTP/1.1 100"), "the balancer said go on before the body: " + interim);
            OutputStream out = socket.getOutputStream();
            out.write(body.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = TestHttp.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
        }
        RecordingServer.Received received = echo.received().get(echo.received().size() - 1);
        assertEquals(body, received.body());
        assertFalse(received.headers().containsKey("Expect"), "Expect is hop-by-hop here: " + received.headers().keySet());
    }

    private Socket request(String head) throws IOException {
        Socket socket = RawHttp.open(system.balancer().port());
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder read = new StringBuilder();
        while (!read.toString().contains(marker)) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("closed before '" + marker + "': " + read);
            }
            read.append((char) next);
        }
        return read.toString();
    }

    private long failuresOf(String service) {
        return system.serviceStatus(service).getJsonArray("instances").getJsonObject(0).getJsonNumber("failures").longValue();
    }

    private int inFlightOf(String service) {
        return system.serviceStatus(service).getJsonArray("instances").getJsonObject(0).getInt("inFlight");
    }

    private boolean isEjected(String service) {
        var instance = system.serviceStatus(service).getJsonArray("instances").getJsonObject(0);
        return instance.containsKey("ejectedUntil") && !instance.isNull("ejectedUntil");
    }

    private long filesOfTheBalancer(String prefix) throws IOException {
        try (var files = Files.list(system.balancer().tempFolder())) {
            return files.filter(file -> file.getFileName().toString().startsWith(prefix)).count();
        }
    }

    /** An answer read from a raw socket: its head as text, and its body as sent, framing included. */
    private record Answer(String head, byte[] bodyBytes) {

        static Answer readUntilClose(InputStream in) throws IOException {
            String head = TestHttp.readHead(in);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try {
                in.transferTo(body);
            } catch (java.net.SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                // A reset instead of a clean close: a cut either way.
            }
            return new Answer(head, body.toByteArray());
        }

        int status() {
            return Integer.parseInt(head.substring(9, 12));
        }

        int bodyLength() {
            return bodyBytes.length;
        }

        String body() {
            return new String(bodyBytes, StandardCharsets.ISO_8859_1);
        }
    }
}
