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
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WebSocket through the balancer: the handshake reaches an instance chosen by the strategy,
 * messages cross both ways unchanged, and when either side goes the other is closed. The
 * balancer is the real uber jar with a small heap; the instances are {@link WebSocketServer}s
 * in this JVM; the client is the JDK's own WebSocket client.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebSocketIT {

    private static final int MAX_TUNNELS = 150;

    private final WebSocketServer chat1 = new WebSocketServer("chat-1");
    private final WebSocketServer chat2 = new WebSocketServer("chat-2");
    private final WebSocketServer doomed = new WebSocketServer("doomed-1");
    private final WebSocketServer steady = new WebSocketServer("steady-1");
    private final RecordingServer plain = new RecordingServer("plain");
    private final HttpClient client = HttpClient.newHttpClient();
    private LocalSystem system;
    /** A second balancer with a short idle timeout, stopped by the last test. */
    private LocalSystem quick;

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        system.registerInstance("chat-1", "chat", chat1.port());
        system.registerInstance("chat-2", "chat", chat2.port());
        system.registerInstance("doomed-1", "doomed", doomed.port());
        system.registerInstance("steady-1", "fickle", steady.port());
        system.registerInstance("refusing-1", "fickle", dev.ruta.testing.FreePorts.next());
        system.registerInstance("plain-1", "plain", plain.port());
        system.startBalancerRoutingRegistered(Map.of("balancer.max-tunnels", String.valueOf(MAX_TUNNELS)), "-Xmx128m");
        quick = new LocalSystem(consul);
        quick.startBalancer(Map.of("balancer.tunnel-idle-timeout", "5s")).awaitUp("/health/ready");
        quick.awaitRouted("chat", List.of("chat-1", "chat-2"));
    }

    @AfterAll
    void stop() {
        Closing.all(system, quick, chat1, chat2, doomed, steady, plain);
    }

    @Test
    void messagesCrossBothWaysAndTheStrategySpreadsTunnels() throws Exception {
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            Client socket = connect("/api/chat/room");
            socket.send("hello " + i);
            String answer = socket.next();
            assertTrue(answer.endsWith(": hello " + i), answer);
            answeredBy.add(answer.substring(0, answer.indexOf(':')));
            socket.close();
        }
        assertEquals(Set.of("chat-1", "chat-2"), answeredBy, "round-robin spreads tunnels over both instances");
        await("the instances' sides closed").atMost(Duration.ofMinutes(1))
                .until(() -> chat1.openConnections() + chat2.openConnections() == 0);
        java.util.regex.Matcher announced = java.util.regex.Pattern.compile("Access log: (\\S+)").matcher(system.balancer().log());
        assertTrue(announced.find(), "the balancer names its access log at startup");
        java.nio.file.Path accessLog = java.nio.file.Path.of(announced.group(1));
        // "hello 0" is 7 bytes in a masked frame of 13 up; "chat-1: hello 0" 15 in a frame of 17 down.
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                ".* GET /api/chat/room 101 chat-[12] [0-9.]+ms retries=0 up=13B down=17B closed=\\S+");
        await("one access-log line per tunnel").atMost(Duration.ofMinutes(1))
                .until(() -> java.nio.file.Files.readAllLines(accessLog).stream().filter(l -> line.matcher(l).matches()).count() == 4);
    }

    @Test
    void tunnelsUpToTheLimitStayOpenWhileOrdinaryRequestsAreServedAndTheNextIsOverloaded() throws Exception {
        List<Client> sockets = new ArrayList<>();
        for (int i = 0; i < MAX_TUNNELS; i++) {
            sockets.add(connect("/api/chat/crowd"));
        }
        HttpReply reply = TestHttp.get(system.viaBalancer("/api/plain/ping"));
        assertEquals(200, reply.status(), reply.body());
        assertEquals(MAX_TUNNELS, inFlightOf("chat"), "each open tunnel counts in its instance's in-flight figure");
        HttpReply refused = RawHttp.exchange(system.balancer().port(), handshake("/api/chat/one-more"), out -> { });
        assertEquals(503, refused.status(), refused.body());
        assertEquals("overloaded", refused.json().getString("error"));
        for (int i = 0; i < sockets.size(); i++) {
            sockets.get(i).send("message " + i);
        }
        for (int i = 0; i < sockets.size(); i++) {
            String answer = sockets.get(i).next();
            assertTrue(answer.endsWith(": message " + i), answer);
        }
        sockets.forEach(Client::close);
        await("every tunnel closed at the instances").atMost(Duration.ofMinutes(1))
                .until(() -> chat1.openConnections() + chat2.openConnections() == 0);
        await("no tunnel counted in flight").atMost(Duration.ofMinutes(1)).until(() -> inFlightOf("chat") == 0);
    }

    @Test
    void aTunnelWithNoByteEitherWayForTheIdleTimeoutIsClosed() throws Exception {
        Client socket = connect(quick, "/api/chat/quiet");
        socket.send("once");
        assertTrue(socket.next().endsWith(": once"));
        await("the idle tunnel closed").atMost(Duration.ofMinutes(1)).until(() -> socket.closed.isDone());
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void stoppingTheBalancerClosesItsTunnels() throws Exception {
        Client socket = connect(quick, "/api/chat/last");
        socket.send("still here");
        assertTrue(socket.next().endsWith(": still here"));
        quick.balancer().terminate();
        await("the client's side closed").atMost(Duration.ofMinutes(1)).until(() -> socket.closed.isDone());
    }

    private int inFlightOf(String service) {
        return system.serviceStatus(service).getJsonArray("instances").stream()
                .mapToInt(instance -> instance.asJsonObject().getInt("inFlight")).sum();
    }

    private static String handshake(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    @Test
    void aHandshakeRefusedByOneInstanceIsTriedOnAnother() throws Exception {
        for (int i = 0; i < 3; i++) {
            Client socket = connect("/api/fickle/room");
            socket.send("try " + i);
            assertEquals("steady-1: try " + i, socket.next(), "nothing was sent to the refusing instance: tried elsewhere");
            socket.close();
        }
    }

    @Test
    void whenTheInstanceDropsTheTunnelTheClientsSideIsClosed() throws Exception {
        Client socket = connect("/api/doomed/room");
        socket.send("before");
        assertTrue(socket.next().endsWith(": before"));
        doomed.dropAll();
        await("the client's side closed").atMost(Duration.ofMinutes(1)).until(() -> socket.closed.isDone());
    }

    @Test
    void aClientThatNeverReadsCostsABoundedBufferWhateverTheInstanceSends() throws Exception {
        long before = chat1.flooded() + chat2.flooded();
        AtomicLong lastSeen = new AtomicLong(-1);
        Client socket = connectWithoutReading("/api/chat/flood");
        // Stalled: the instance can write no more, as the tunnel stopped reading it.
        await("the flood stalls").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> lastSeen.getAndSet(chat1.flooded() + chat2.flooded()) == chat1.flooded() + chat2.flooded());
        long sent = chat1.flooded() + chat2.flooded() - before;
        assertTrue(sent < 64L * 1024 * 1024, "socket buffers, not the heap, held the flood: " + sent + " bytes");
        assertEquals(200, TestHttp.get(system.balancer().url("/health/ready")).status(), "the balancer serves on");
        socket.close();
    }

    @Test
    void aHandshakeTheInstanceDoesNotTakeGetsTheInstancesAnswer() {
        HttpReply refused = RawHttp.exchange(system.balancer().port(), handshake("/api/plain/socket"), out -> { });
        assertEquals(200, refused.status(), "the instance did not switch: its own answer, no tunnel");
        assertEquals("plain-1", refused.header("X-Ruta-Instance"));
    }

    @Test
    void anUpgradeToAnythingButWebSocketIsForwardedAsAPlainRequest() {
        HttpReply other = RawHttp.exchange(system.balancer().port(), "GET /api/plain/other HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: Upgrade\r\nUpgrade: example/1\r\n\r\n",
                out -> { });
        assertEquals(200, other.status(), "only websocket is tunnelled; another Upgrade is dropped as hop-by-hop");
        RecordingServer.Received received = plain.received().get(plain.received().size() - 1);
        assertTrue(!received.headers().containsKey("Upgrade"), "Upgrade not forwarded");
    }

    private Client connect(String path) throws Exception {
        return connect(system, path);
    }

    private Client connect(LocalSystem through, String path) throws Exception {
        Client listener = new Client(true);
        listener.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                .buildAsync(URI.create("ws://127.0.0.1:" + through.balancer().port() + path), listener)
                .get(1, TimeUnit.MINUTES);
        return listener;
    }

    private Client connectWithoutReading(String path) throws Exception {
        Client listener = new Client(false);
        listener.socket = client.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + system.balancer().port() + path), listener)
                .get(1, TimeUnit.MINUTES);
        return listener;
    }

    /** A WebSocket client whose text messages queue up for the test, reading them or not. */
    private static final class Client implements WebSocket.Listener {

        private final boolean reads;
        private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        Client(boolean reads) {
            this.reads = reads;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            if (reads) {
                webSocket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(null);
        }

        void send(String text) throws Exception {
            socket.sendText(text, true).get(1, TimeUnit.MINUTES);
        }

        String next() throws InterruptedException, IOException {
            String message = messages.poll(1, TimeUnit.MINUTES);
            if (message == null) {
                throw new IOException("no message within a minute");
            }
            return message;
        }

        void close() {
            socket.abort();
        }
    }
}
