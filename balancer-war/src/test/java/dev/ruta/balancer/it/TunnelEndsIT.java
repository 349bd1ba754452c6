package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.TestHttp;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every tunnel is watched from its first byte to its close, whatever ended it and however many
 * ended at once: tunnels closed from both sides at the same moment (which once deadlocked the
 * tunnels' thread with the container, and left every later tunnel unwatched), an instance that
 * goes away, a client that leaves, a client that takes nothing. The kernel's table of sockets
 * ({@code ss}) shows nothing left half-closed at the balancer. A fresh real balancer, in-process
 * WebSocket instances registered in the real Consul.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TunnelEndsIT {

    private static final int STORM = 200;

    private final WebSocketServer echo = new WebSocketServer("echo-1");
    private LocalSystem system;

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        system.registerInstance("echo-1", "chat", echo.port());
        system.startBalancerRoutingRegistered(Map.of("balancer.max-tunnels", String.valueOf(STORM * 2),
                "balancer.write-timeout", "3s"));
    }

    @AfterAll
    void stop() {
        Closing.all(system, echo);
    }

    @Test
    void tunnelsClosedFromBothSidesAtOnceLeaveTheNextOnesWatched() throws Exception {
        for (int round = 0; round < 3; round++) {
            closeAStormFromBothSides();
        }
        // As in the report: a new tunnel, used, then its instance goes away.
        try (Socket client = tunnel("/api/chat/last")) {
            send(client, "hello");
            assertEquals("echo-1: hello", receive(client));
            echo.closeAll();
            client.setSoTimeout(30_000);
            assertTrue(RawHttp.readsToTheEnd(client.getInputStream()), "the client's side is closed when its instance goes");
        }
        assertNothingLeftOpen();
    }

    @Test
    void aClientThatLeavesWhileItsInstanceIsIdleClosesTheInstancesSide() throws Exception {
        int before = echo.openConnections();
        try (Socket client = tunnel("/api/chat/leaving")) {
            send(client, "bye");
            assertEquals("echo-1: bye", receive(client));
            await("the instance's side open").atMost(Duration.ofSeconds(30)).until(echo::openConnections, open -> open > before);
        }
        await("the instance's side closed when the client left").atMost(Duration.ofSeconds(30))
                .until(echo::openConnections, open -> open == before);
        assertNothingLeftOpen();
    }

    @Test
    void aClientThatTakesNothingWhileItsInstanceSendsIsLetGoAtTheWriteTimeout() throws Exception {
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), system.balancer().port()));
            client.setSoTimeout(60_000);
            client.getOutputStream().write(ascii(handshake("/api/chat/flood")));
            assertTrue(TestHttp.readHead(client.getInputStream()).startsWith("HTTP/1.1 101"));
            int clientPort = client.getLocalPort();
            await("the balancer's side of the client's connection gone").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250)).until(() -> balancerSocketsTo(clientPort), List::isEmpty);
            assertTrue(RawHttp.readsToTheEnd(client.getInputStream()), "the client's connection ends, it does not hang");
        }
        assertNothingLeftOpen();
    }

    private void closeAStormFromBothSides() throws Exception {
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        CountDownLatch used = new CountDownLatch(STORM);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < STORM; i++) {
            done.add(clients.submit(() -> {
                try (Socket socket = tunnel("/api/chat/storm")) {
                    send(socket, "ping");
                    assertEquals("echo-1: ping", receive(socket));
                    used.countDown();
                    go.await();
                    // Close, answered by the instance's Close and its FIN, while this side's FIN follows at once.
                    socket.getOutputStream().write(frame(0x8, new byte[] {0x03, (byte) 0xE8}));
                }
                return null;
            }));
        }
        assertTrue(used.await(2, TimeUnit.MINUTES), "every tunnel of the storm opened");
        go.countDown();
        for (Future<?> client : done) {
            client.get(1, TimeUnit.MINUTES);
        }
        clients.shutdown();
    }

    private void assertNothingLeftOpen() throws Exception {
        await("every tunnel closed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> gauge("ruta_tunnels_open"), open -> open == 0);
        assertTrue(gauge("ruta_tunnel_watcher_lag_seconds") < 5, "the tunnels' thread goes round");
        await("no connection half-closed at the balancer").atMost(Duration.ofSeconds(30))
                .until(this::halfClosedAtTheBalancer, List::isEmpty);
    }

    private double gauge(String name) {
        for (String line : TestHttp.get(system.balancer().url("/metrics")).body().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " is not at /metrics");
    }

    private List<String> halfClosedAtTheBalancer() throws IOException, InterruptedException {
        return ss("state", "close-wait", "( sport = :" + system.balancer().port() + " )");
    }

    private List<String> balancerSocketsTo(int clientPort) throws IOException, InterruptedException {
        return ss("state", "connected", "( sport = :" + system.balancer().port() + " and dport = :" + clientPort + " )")
                .stream().filter(line -> !line.startsWith("TIME-WAIT")).toList();
    }

    private static List<String> ss(String... filter) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ss", "-tanH"));
        command.addAll(List.of(filter));
        Process ss = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor();
        return output.lines().filter(line -> !line.isBlank()).toList();
    }

    private Socket tunnel(String path) throws IOException {
        Socket socket = RawHttp.open(system.balancer().port());
        socket.getOutputStream().write(ascii(handshake(path)));
        String head = TestHttp.readHead(socket.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(frame(0x1, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The instance's next frame's text (it sends them unmasked, each under 126 bytes here). */
    private static String receive(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        in.readUnsignedByte();
        byte[] payload = new byte[in.readUnsignedByte() & 0x7f];
        in.readFully(payload);
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** A client's frame, masked with a zero key as RFC 6455 allows. */
    private static byte[] frame(int opcode, byte[] payload) {
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }

    private static String handshake(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }


    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
