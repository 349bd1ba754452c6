package dev.ruta.balancer.proxy.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.TestHttp;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP/1.1 client against a loopback server that answers, byte for byte, what each test
 * scripts: framings, cuts, interim answers, and answers no intermediary may pass on.
 */
class InstanceClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ScriptedServer server = new ScriptedServer();
    private final InstanceClient client = new InstanceClient(Duration.ofSeconds(5), 4, Duration.ofSeconds(20));

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void aBodyOfDeclaredLengthEndsCleanlyAndItsConnectionServesTheNextExchange() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Id: a\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye");
        InstanceAnswer first = send("GET");
        assertEquals(200, first.status());
        assertEquals(Framing.LENGTH, first.framing());
        assertEquals(List.of("a"), first.headers().get("X-Id"));
        assertEquals("hello", read(first.body()));
        assertEquals("bye", read(send("GET").body()));
        assertEquals(1, server.connections(), "one kept-alive connection for both");
    }

    @Test
    void aBodyCutShortOfItsLengthThrowsRatherThanEnding() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
        InstanceAnswer answer = send("GET");
        assertThrows(CutAnswerException.class, () -> answer.body().readAllBytes());
    }

    @Test
    void chunksAreJoinedAndExtensionsAndTrailersReadPast() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n");
        InstanceAnswer answer = send("GET");
        assertEquals(Framing.CHUNKED, answer.framing());
        assertEquals("hello world", read(answer.body()));
    }

    @Test
    void chunksWithoutTheLastOneThrow() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        InstanceAnswer answer = send("GET");
        assertThrows(CutAnswerException.class, () -> answer.body().readAllBytes());
    }

    @Test
    void anAnswerFramedByClosingEndsCleanlyAtTheClose() throws IOException {
        server.answers("HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\n");
        InstanceAnswer answer = send("GET");
        assertEquals(Framing.UNTIL_CLOSE, answer.framing());
        assertEquals("data: 1\n\n", read(answer.body()));
    }

    @Test
    void transferEncodingOutranksContentLength() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        assertEquals("ok", read(send("GET").body()));
    }

    @Test
    void interimAnswersAreReadPast() throws IOException {
        server.answers("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}");
        InstanceAnswer answer = send("POST");
        assertEquals(201, answer.status());
        assertEquals("{}", read(answer.body()));
    }

    @Test
    void noBodyForHeadOr204Or304WhateverTheirHeadersSay() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals(-1, send("HEAD").body().read());
        assertEquals(-1, send("GET").body().read());
        assertEquals(-1, send("GET").body().read());
        assertEquals("ok", read(send("GET").body()), "the connection stayed in step");
        assertEquals(1, server.connections());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SSH-2.0-OpenSSH_9.2\r\n\r\n",
        "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 20 Short\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nName : x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    })
    void whatNoIntermediaryMayPassOnIsMalformed(String answer) {
        server.answers(answer);
        assertThrows(MalformedAnswerException.class, () -> send("GET"));
    }

    @Test
    void aChunkSizeThatIsNotHexIsMalformed() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        InstanceAnswer answer = send("GET");
        assertThrows(MalformedAnswerException.class, () -> answer.body().readAllBytes());
    }

    @Test
    void aClosedConnectionWithoutAnAnswerIsNoAnswer() {
        server.answers("");
        assertThrows(NoAnswerException.class, () -> send("POST"));
    }

    @Test
    void anInstanceSilentPastTheReadTimeoutTimesOut() {
        server.answers(ScriptedServer.SILENCE);
        assertThrows(SocketTimeoutException.class, () -> client.send(request("GET"), new InstanceCall(), Duration.ofMillis(200)));
    }

    @Test
    void anAbortWakesTheThreadWaitingForTheAnswer() {
        server.answers(ScriptedServer.SILENCE);
        InstanceCall call = new InstanceCall();
        CompletableFuture<InstanceAnswer> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return client.send(request("GET"), call, TIMEOUT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        org.awaitility.Awaitility.await().until(() -> server.requestsSeen() == 1);
        call.abort();
        Throwable failure = assertThrows(Exception.class, waiting::join).getCause().getCause();
        assertTrue(failure instanceof InterruptedIOException, String.valueOf(failure));
        org.awaitility.Awaitility.await("the server sees the connection closed").until(() -> server.openConnections() == 0);
    }

    @Test
    void aBodyClosedBeforeItsEndClosesItsConnection() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000),
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        InstanceAnswer answer = send("GET");
        answer.body().read(new byte[10]);
        answer.body().close();
        assertEquals("ok", read(send("GET").body()));
        assertEquals(2, server.connections(), "the half-read connection was not reused");
    }

    @Test
    void theRequestGoesOutWithItsBodyLengthAndHost() throws IOException {
        server.answers("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        client.send(new InstanceRequest("POST", "127.0.0.1", server.port(), "/api/x?q=1", Map.of("X-A", List.of("1", "2")),
                new RequestContent() {
                    @Override
                    public long length() {
                        return body.length;
                    }

                    @Override
                    public void writeTo(OutputStream out) throws IOException {
                        out.write(body);
                    }
                }), new InstanceCall(), TIMEOUT).body().close();
        String request = server.lastRequest();
        assertTrue(request.startsWith("POST /api/x?q=1 HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n"), request);
        assertTrue(request.contains("X-A: 1\r\nX-A: 2\r\n"), request);
        assertTrue(request.contains("Content-Length: 7\r\n"), request);
    }

    @Test
    void aSwitchHandsOverTheConnectionWithTheBytesThatFollowedTheAnswer() throws IOException {
        server.answers("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nfirst-frame");
        InstanceUpgrade upgrade = client.upgrade(new InstanceRequest("GET", "127.0.0.1", server.port(), "/ws",
                Map.of("Upgrade", List.of("websocket"), "Connection", List.of("Upgrade")), null), new InstanceCall(), TIMEOUT);
        assertTrue(upgrade.switched());
        byte[] leftover = new byte[upgrade.leftover().remaining()];
        upgrade.leftover().get(leftover);
        assertArrayEquals("first-frame".getBytes(StandardCharsets.US_ASCII), leftover);
        upgrade.channel().close();
    }

    private InstanceAnswer send(String method) throws IOException {
        return client.send(request(method), new InstanceCall(), TIMEOUT);
    }

    private InstanceRequest request(String method) {
        return new InstanceRequest(method, "127.0.0.1", server.port(), "/", Map.of(), null);
    }

    private static String read(InputStream body) throws IOException {
        try (body) {
            return new String(body.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Answers each request it reads with the next scripted answer, then closes the connection
     * if that answer was the last one (so an answer framed by closing ends).
     */
    private static final class ScriptedServer implements AutoCloseable {

        static final String SILENCE = "<silence>";

        private final ServerSocket socket;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final List<String> answers = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicInteger requests = new AtomicInteger();
        private volatile String lastRequest;

        ScriptedServer() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            threads.execute(this::accept);
        }

        void answers(String... scripted) {
            answers.addAll(List.of(scripted));
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        int openConnections() {
            return open.get();
        }

        int requestsSeen() {
            return requests.get();
        }

        String lastRequest() {
            return lastRequest;
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    connections.incrementAndGet();
                    open.incrementAndGet();
                    threads.execute(() -> serve(connection));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket connection) {
            try (connection) {
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream();
                while (true) {
                    String head = readRequest(in);
                    if (head == null) {
                        return;
                    }
                    requests.incrementAndGet();
                    lastRequest = head;
                    int index = next.getAndIncrement();
                    String answer = answers.get(index);
                    if (answer.equals(SILENCE)) {
                        while (in.read() >= 0) {
                            // Never answers; waits for the client to close.
                        }
                        return;
                    }
                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (index == answers.size() - 1) {
                        return;
                    }
                }
            } catch (IOException e) {
                // The client closed.
            } finally {
                open.decrementAndGet();
            }
        }

        /** The head, and a Content-Length body if any, as text; null when the client closed. */
        private static String readRequest(InputStream in) throws IOException {
            String head;
            try {
                head = TestHttp.readHead(in);
            } catch (EOFException closed) {
                return null;
            }
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    in.readNBytes(Integer.parseInt(line.substring(15).strip()));
                }
            }
            return head;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing anyway.
            }
            threads.shutdownNow();
        }
    }
}
