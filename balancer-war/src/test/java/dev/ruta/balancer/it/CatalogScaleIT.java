package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real catalog's size on a real Consul agent: a thousand tagged services of two instances
 * each, half with a health check and half without, all followed over a handful of connections
 * and a bounded number of threads; and an agent that limits the balancer is reported, not hidden.
 */
@ExtendWith(ConsulExtension.class)
class CatalogScaleIT {

    private static final int SERVICES = 1000;

    @Test
    void aThousandServicesOfTwoInstancesAreFollowedOverAHandfulOfConnections(ConsulAgent consul) {
        try (LocalSystem system = new LocalSystem(consul); RecordingServer instance = new RecordingServer("scale")) {
            PayaraProcess balancer = system.startBalancer(Map.of()).awaitUp("/health/ready");
            int threadsBefore = threads(balancer.pid());

            for (int i = 1; i <= SERVICES; i++) {
                system.register(id(i, "a"), registration(i, "a", instance.port(), true));
                system.register(id(i, "b"), registration(i, "b", instance.port(), false));
            }
            await("all " + SERVICES + " services routed with two instances each").atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> servicesWithTwoInstances(system), count -> count == SERVICES);

            long connections = connections(balancer.pid(), consul.httpUrl().getPort());
            assertTrue(connections <= 3, connections + " connections to the agent");
            int threadsAfter = threads(balancer.pid());
            assertTrue(threadsAfter - threadsBefore <= 10, "threads went from " + threadsBefore + " to " + threadsAfter);

            consul.api().deregister(id(500, "b"));
            system.awaitRouted("scale-500", List.of(id(500, "a")));
            consul.api().register(registration(500, "b", instance.port(), false));
            system.awaitRouted("scale-500", List.of(id(500, "a"), id(500, "b")));

            checkOf(consul, 501, "fail");
            system.awaitRouted("scale-501", List.of(id(501, "b")));
            checkOf(consul, 501, "pass");
            system.awaitRouted("scale-501", List.of(id(501, "a"), id(501, "b")));

            for (String side : List.of("a", "b")) {
                consul.api().register(registration(502, side, instance.port(), false).replace("\"Tags\":[\"balanced\"]", "\"Tags\":[]"));
            }
            await("a service that lost the tag is dropped").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> TestHttp.get(system.viaBalancer("/api/scale-502/x")).status() == 404);
            for (String side : List.of("a", "b")) {
                consul.api().register(registration(502, side, instance.port(), false));
            }
            system.awaitRouted("scale-502", List.of(id(502, "a"), id(502, "b")));

            HttpReply reply = TestHttp.get(system.viaBalancer("/api/scale-" + SERVICES + "/last?x=1"));
            assertEquals(200, reply.status(), reply.body());
            assertTrue(instance.received().stream().anyMatch(received -> received.pathAndQuery().equals("/api/scale-" + SERVICES + "/last?x=1")));
            long afterChanges = connections(balancer.pid(), consul.httpUrl().getPort());
            assertTrue(afterChanges <= 3, afterChanges + " connections to the agent after the changes");
        }
    }

    @Test
    void anAgentThatLimitsTheBalancerMakesItUnreadyUntilTheLimitIsLifted() {
        try (ConsulAgent limited = ConsulAgent.configured("limits { http_max_conns_per_client = 1 }").start();
             LocalSystem system = new LocalSystem(limited)) {
            PayaraProcess balancer = system.startBalancer(Map.of("consul.retry.max-delay", "1s")).awaitUp("/health/live");
            await("readiness names the refused watch").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> TestHttp.get(balancer.url("/health/ready")),
                            ready -> ready.status() == 503 && ready.body().contains("consulError"));
            assertTrue(balancer.log().contains("routing on the last complete table and retrying"), "logged once per streak");

            limited.reload("limits { http_max_conns_per_client = 200 }");
            await("ready once the agent lets it in").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> TestHttp.get(balancer.url("/health/ready")),
                            ready -> ready.status() == 200 && !ready.body().contains("consulError"));
            try (RecordingServer instance = new RecordingServer("limited")) {
                system.registerInstance("limited-1", "limited", instance.port());
                system.awaitRouted("limited", List.of("limited-1"));
            }
        }
    }

    private static String id(int service, String side) {
        return "scale-" + service + "-" + side;
    }

    private static String registration(int service, String side, int port, boolean checked) {
        return "{\"ID\":\"" + id(service, side) + "\",\"Name\":\"scale-" + service + "\",\"Address\":\"127.0.0.1\",\"Port\":"
                + port + ",\"Tags\":[\"balanced\"]"
                + (checked ? ",\"Check\":{\"CheckID\":\"" + id(service, side) + "-ttl\",\"TTL\":\"1h\",\"Status\":\"passing\"}" : "")
                + "}";
    }

    private static void checkOf(ConsulAgent consul, int service, String verdict) {
        HttpReply reply = TestHttp.put(consul.httpUrl().resolve("/v1/agent/check/" + verdict + "/" + id(service, "a") + "-ttl"), "");
        assertEquals(200, reply.status(), reply.body());
    }

    private static long servicesWithTwoInstances(LocalSystem system) {
        return TestHttp.get(system.viaBalancer("/balancer/services")).json().getJsonArray("services").stream()
                .map(value -> value.asJsonObject())
                .filter(service -> service.getString("name").startsWith("scale-"))
                .filter(service -> service.getJsonArray("instances").size() == 2)
                .count();
    }

    private static int threads(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(line -> line.startsWith("Threads:"))
                    .mapToInt(line -> Integer.parseInt(line.substring("Threads:".length()).strip()))
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Established TCP connections of this process to a loopback port, from its open sockets and the kernel's table. */
    private static long connections(long pid, int port) {
        Set<String> sockets = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        sockets.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed between the listing and the read
                }
            });
            String remotePort = String.format(":%04X", port);
            return Stream.of("/proc/" + pid + "/net/tcp", "/proc/" + pid + "/net/tcp6")
                    .flatMap(table -> {
                        try {
                            return Files.readAllLines(Path.of(table)).stream().skip(1);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .map(line -> line.trim().split("\\s+"))
                    .filter(fields -> fields[2].endsWith(remotePort) && fields[3].equals("01") && sockets.contains(fields[9]))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
