package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests held by an instance that accepts and never answers cost the balancer no platform
 * thread each: every exchange waits on a virtual thread. WebSocket handshakes, which must wait on
 * one of Payara's request threads, take a few of them, never all. The balancer is the real uber
 * jar, the hung instances a raw socket server of {@link MisbehavingServer}, registered in the real
 * Consul.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeldRequestsIT {

    private static final int HELD = 300;
    /** What the held requests may add to the balancer's platform threads, whatever their number. */
    private static final int MORE_THREADS_ALLOWED = 100;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    /** balancer.handshakes-per-instance: below balancer.max-handshakes, so one instance is held to it. */
    private static final int HANDSHAKE_SLOTS = 4;
    /** balancer.max-handshakes: below the slots of {@link #HUNG_MANY} instances, so they are held to it. */
    private static final int MAX_HANDSHAKES = 8;
    private static final int HUNG_MANY = 3;
    /** More than Payara's request threads (16, max-thread-pool-size): each handshake holds one while it waits. */
    private static final int HANDSHAKES_SENT = 24;

    private final MisbehavingServer faults = new MisbehavingServer();
    private final RecordingServer echo = new RecordingServer("echo");
    private LocalSystem system;

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        system.registerInstance("hung-1", "hung", faults.port());
        for (int i = 1; i <= HUNG_MANY; i++) {
            system.registerInstance("hung-many-" + i, "hung-many", faults.port());
        }
        system.registerInstance("echo-1", "echo", echo.port());
        // One connection per held request: each exchange waits on the instance itself, not in the pool.
        system.startBalancerRoutingRegistered(Map.of("balancer.read-timeout", READ_TIMEOUT.toSeconds() + "s",
                "balancer.retries", "0", "balancer.connections-per-instance", String.valueOf(HELD + 10),
                "balancer.handshakes-per-instance", String.valueOf(HANDSHAKE_SLOTS),
                "balancer.max-handshakes", String.valueOf(MAX_HANDSHAKES)));
    }

    @AfterAll
    void stop() {
        Closing.all(system, faults, echo);
    }

    @Test
    void requestsHeldByAHungInstanceAddNoPlatformThreadEachAndEndIn504() throws IOException {
        // The container's pools at their working size first, so that only the held requests differ.
        for (int i = 0; i < 50; i++) {
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/echo/warm")).status());
        }
        int idle = platformThreads();
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < HELD; i++) {
                Socket socket = RawHttp.open(system.balancer().port());
                socket.getOutputStream().write("GET /api/hung/work HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                held.add(socket);
            }
            await("every request waits on the hung instance").atMost(READ_TIMEOUT)
                    .until(() -> faults.openConnectionsTo("hung"), open -> open == HELD);
            int whileHeld = platformThreads();
            assertTrue(whileHeld <= idle + MORE_THREADS_ALLOWED, HELD + " held requests took the balancer from "
                    + idle + " to " + whileHeld + " platform threads");
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/echo/meanwhile")).status(),
                    "an ordinary request is served while they wait");
            AtomicInteger timedOut = new AtomicInteger();
            for (Socket socket : held) {
                String status = statusLine(socket.getInputStream());
                if (status.startsWith("HTTP/1.1 504")) {
                    timedOut.incrementAndGet();
                }
            }
            assertEquals(HELD, timedOut.get(), "each held request ends in 504 at balancer.read-timeout");
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        await("the hung instance's connections closed").atMost(Duration.ofMinutes(1))
                .until(() -> faults.openConnectionsTo("hung"), open -> open == 0);
    }

    @Test
    void handshakesToAHungInstanceHoldAFewRequestThreadsNotAll() throws IOException {
        assertHandshakesHeldTo("hung", HANDSHAKE_SLOTS);
    }

    @Test
    void handshakesToSeveralHungInstancesHoldAtMostHalfOfTheRequestThreads() throws IOException {
        assertHandshakesHeldTo("hung-many", MAX_HANDSHAKES);
    }

    /**
     * Sends {@link #HANDSHAKES_SENT} handshakes to a service whose instances never answer: only
     * {@code held} wait, and end in 504 at the read timeout; the others are refused with 503, and an
     * ordinary request is served meanwhile.
     */
    private void assertHandshakesHeldTo(String service, int held) throws IOException {
        List<Socket> handshakes = new ArrayList<>();
        try {
            for (int i = 0; i < HANDSHAKES_SENT; i++) {
                Socket socket = RawHttp.open(system.balancer().port());
                socket.getOutputStream().write(("GET /api/" + service + "/socket HTTP/1.1\r\nHost: localhost\r\n"
                        + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                handshakes.add(socket);
            }
            await("the handshake slots taken").atMost(READ_TIMEOUT)
                    .until(() -> faults.openConnectionsTo(service), open -> open == held);
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/echo/beside-handshakes")).status(),
                    "an ordinary request is served while handshakes wait on the hung instances");
            assertEquals(held, faults.openConnectionsTo(service),
                    "the ordinary request did not wait for the handshakes' read timeout");
            Map<String, Integer> statuses = new TreeMap<>();
            for (Socket socket : handshakes) {
                statuses.merge(statusLine(socket.getInputStream()).split(" ")[1], 1, Integer::sum);
            }
            assertEquals(Map.of("503", HANDSHAKES_SENT - held, "504", held), statuses,
                    "beyond the slots, handshakes are refused as overloaded; those let through end at the read timeout");
        } finally {
            for (Socket socket : handshakes) {
                socket.close();
            }
        }
        await("the hung instances' connections closed").atMost(Duration.ofMinutes(1))
                .until(() -> faults.openConnectionsTo(service), open -> open == 0);
    }

    /** The kernel's count of the balancer's threads: platform threads only, virtual ones have none. */
    private int platformThreads() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(system.balancer().pid()), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        throw new IllegalStateException("no thread count for the balancer in /proc");
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int next = in.read(); next != -1 && next != '\n'; next = in.read()) {
            line.append((char) next);
        }
        return line.toString().trim();
    }
}
