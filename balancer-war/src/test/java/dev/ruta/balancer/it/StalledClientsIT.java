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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that never read an endless answer are let go at {@code balancer.write-timeout}: each
 * connection closed at once by the balancer, with what waited for it in Grizzly's queue and in
 * the kernel's buffer. Read off the kernel's own table of sockets ({@code /proc/net/tcp}) and the
 * balancer's heap. The balancer is the real uber jar; the instance a raw socket server.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StalledClientsIT {

    private static final int CLIENTS = 200;
    private static final Pattern SEND_BUFFER = Pattern.compile("\\btb(\\d+)");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final MisbehavingServer faults = new MisbehavingServer();
    private final RecordingServer echo = new RecordingServer("echo");
    private LocalSystem system;

    @BeforeAll
    void start(ConsulAgent consul) {
        system = new LocalSystem(consul);
        system.registerInstance("drip-1", "drip", faults.port());
        system.registerInstance("echo-1", "echo", echo.port());
        system.startBalancerRoutingRegistered(Map.of("balancer.write-timeout", "6s", "balancer.retries", "0",
                "balancer.connections-per-instance", String.valueOf(CLIENTS + 10),
                "balancer.max-answer-backlog", String.valueOf(8L * 1024 * 1024)));
    }

    @AfterAll
    void stop() {
        Closing.all(system, faults, echo);
    }

    @Test
    void clientsThatTakeNothingHaveTheirConnectionsClosedAtTheWriteTimeout() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/echo/warm")).status());
        }
        long idleHeap = heapAfterCollection();
        List<Socket> clients = new ArrayList<>();
        Set<Integer> clientPorts = new HashSet<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Socket socket = new Socket();
                // A small window: the answer waits in the balancer, not in this socket.
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), system.balancer().port()));
                socket.setSoTimeout(60_000);
                socket.getOutputStream().write("GET /api/drip/stream HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                clients.add(socket);
                clientPorts.add(socket.getLocalPort());
            }
            await("every answer streams").atMost(Duration.ofMinutes(1))
                    .until(() -> faults.openConnectionsTo("drip"), open -> open == CLIENTS);
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/echo/meanwhile")).status(),
                    "an ordinary request is served while they stall");
            // Linux doubles what is set: 128 KiB shows as 256 KiB, an autotuned buffer as up to 4 MiB.
            // Bounded as each answer's relay begins, a moment after its instance's connection opens.
            await("the kernel's send buffer toward every client bounded").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(250)).until(() -> kernelSendBuffers(clientPorts),
                            buffers -> buffers.size() == CLIENTS && buffers.stream().allMatch(bytes -> bytes <= 2 * 128 * 1024));
            await("every stalled client's connection closed at the balancer, its send queue with it")
                    .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> balancerSideOf(clientPorts), open -> open.isEmpty());
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/echo/after")).status());
            await("the instance's connections closed").atMost(Duration.ofSeconds(30))
                    .until(() -> faults.openConnectionsTo("drip"), open -> open == 0);
            for (Socket client : clients) {
                assertTrue(RawHttp.readsToTheEnd(client.getInputStream()), "a client's connection ends, it does not hang");
            }
            long heldHeap = heapAfterCollection() - idleHeap;
            assertTrue(heldHeap < 32 * 1024 * 1024, "the balancer holds " + heldHeap / 1024 + " KiB more heap than idle");
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    /** The balancer's ends of these clients' connections still in the kernel, but for TIME-WAIT: port → queued bytes. */
    private Map<Integer, Long> balancerSideOf(Set<Integer> clientPorts) throws IOException {
        Map<Integer, Long> open = new java.util.HashMap<>();
        int balancerPort = system.balancer().port();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                int local = port(fields[1]);
                int remote = port(fields[2]);
                boolean timeWait = "06".equals(fields[3]);
                if (local == balancerPort && clientPorts.contains(remote) && !timeWait) {
                    open.put(remote, Long.parseLong(fields[4].split(":")[0], 16));
                }
            }
        }
        return open;
    }

    /** The kernel's send buffer (ss -tm's tb) of the balancer's end of each of these clients' connections. */
    private List<Long> kernelSendBuffers(Set<Integer> clientPorts) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tmnH", "state", "established",
                "( sport = :" + system.balancer().port() + " )").redirectErrorStream(true).start();
        String[] lines = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n");
        ss.waitFor();
        List<Long> buffers = new ArrayList<>();
        for (int i = 0; i + 1 < lines.length; i++) {
            String[] fields = lines[i].trim().split("\\s+");
            Matcher buffer = SEND_BUFFER.matcher(lines[i + 1]);
            if (fields.length >= 4 && clientPorts.contains(Integer.parseInt(fields[3].substring(fields[3].lastIndexOf(':') + 1))) && buffer.find()) {
                buffers.add(Long.parseLong(buffer.group(1)));
            }
        }
        return buffers;
    }

    /** A port as /proc/net/tcp writes it, in hexadecimal after the address. */
    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }


    /** The balancer's used heap after a full collection, in bytes, from jcmd. */
    private long heapAfterCollection() throws IOException, InterruptedException {
        jcmd("GC.run");
        long kilobytes = 0;
        for (String line : jcmd("GC.heap_info").split("\n")) {
            Matcher used = HEAP_USED.matcher(line);
            if (line.contains("generation") && used.find()) {
                kilobytes += Long.parseLong(used.group(1));
            }
        }
        return kilobytes * 1024;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(system.balancer().pid()), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return output;
    }
}
