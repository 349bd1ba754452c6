package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.ConsulRequests;
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
 * and a bounded number of threads; a change reads only its service, as the agent's own log shows;
 * and an agent that limits the balancer is reported, not hidden.
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

    @Test
    void aChangeToOneServiceOfACheckedCatalogReadsThatServiceAlone() {
        int services = 200;
        try (ConsulAgent own = ConsulAgent.configured("").start(); LocalSystem system = new LocalSystem(own);
             RecordingServer instance = new RecordingServer("checked")) {
            system.startBalancer(Map.of("consul.catalog.resync", "1h")).awaitUp("/health/ready");
            for (int i = 1; i <= services; i++) {
                for (String side : List.of("a", "b")) {
                    own.api().register(registration("checked", i, side, instance.port(), true));
                }
            }
            await("all " + services + " services routed with two instances each").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> servicesWithTwoInstances(system, "checked-"), count -> count == services);

            try (ConsulRequests requests = ConsulRequests.follow(own)) {
                own.api().register(registration("checked", 100, "c", instance.port(), true));
                system.awaitRouted("checked-100", List.of("checked-100-a", "checked-100-b", "checked-100-c"));
                own.api().deregister("checked-100-c");
                system.awaitRouted("checked-100", List.of("checked-100-a", "checked-100-b"));
                checkOf(own, "checked-101-a", "fail");
                system.awaitRouted("checked-101", List.of("checked-101-b"));

                List<String> reads = requests.gets().stream()
                        .filter(path -> path.startsWith("/v1/catalog/") || path.startsWith("/v1/health/service/"))
                        .filter(path -> !path.startsWith("/v1/catalog/services?"))
                        .toList();
                assertTrue(!reads.isEmpty() && reads.stream().allMatch(path -> path.startsWith("/v1/health/service/checked-100?")),
                        "only the service that changed is read, and no node: " + reads);
            }
        }
    }

    @Test
    void whatLeavesTheChecksAsTheyWereArrivesWithTheResync() {
        try (ConsulAgent own = ConsulAgent.configured("").start(); LocalSystem system = new LocalSystem(own);
             RecordingServer instance = new RecordingServer("in-place"); RecordingServer moved = new RecordingServer("moved")) {
            system.startBalancer(Map.of("consul.catalog.resync", "2s")).awaitUp("/health/ready");
            for (String side : List.of("a", "b")) {
                own.api().register(registration("in-place", 1, side, instance.port(), true));
            }
            system.awaitRouted("in-place-1", List.of("in-place-1-a", "in-place-1-b"));

            own.api().register(registration("in-place", 1, "a", moved.port(), true));
            await("a registration moved in place, its check as it was, is routed at its new port")
                    .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> system.serviceStatus("in-place-1").getJsonArray("instances").stream()
                            .map(value -> value.asJsonObject())
                            .anyMatch(routed -> routed.getString("id").equals("in-place-1-a") && routed.getInt("port") == moved.port()));

            own.api().register(registration("in-place", 1, "c", instance.port(), false));
            system.awaitRouted("in-place-1", List.of("in-place-1-a", "in-place-1-b", "in-place-1-c"));
        }
    }

    private static String id(int service, String side) {
        return id("scale", service, side);
    }

    private static String id(String prefix, int service, String side) {
        return prefix + "-" + service + "-" + side;
    }

    private static String registration(int service, String side, int port, boolean checked) {
        return registration("scale", service, side, port, checked);
    }

    /** A tagged registration of instance {@code side} of service prefix-service, with a TTL check of its own or none. */
    private static String registration(String prefix, int service, String side, int port, boolean checked) {
        String id = id(prefix, service, side);
        return "{\"ID\":\"" + id + "\",\"Name\":\"" + prefix + "-" + service + "\",\"Address\":\"127.0.0.1\",\"Port\":"
                + port + ",\"Tags\":[\"balanced\"]"
                + (checked ? ",\"Check\":{\"CheckID\":\"" + id + "-ttl\",\"TTL\":\"1h\",\"Status\":\"passing\"}" : "")
                + "}";
    }

    private static void checkOf(ConsulAgent consul, int service, String verdict) {
        checkOf(consul, id(service, "a"), verdict);
    }

    private static void checkOf(ConsulAgent consul, String id, String verdict) {
        HttpReply reply = TestHttp.put(consul.httpUrl().resolve("/v1/agent/check/" + verdict + "/" + id + "-ttl"), "");
        assertEquals(200, reply.status(), reply.body());
    }

    private static long servicesWithTwoInstances(LocalSystem system) {
        return servicesWithTwoInstances(system, "scale-");
    }

    private static long servicesWithTwoInstances(LocalSystem system, String prefix) {
        return TestHttp.get(system.viaBalancer("/balancer/services")).json().getJsonArray("services").stream()
                .map(value -> value.asJsonObject())
                .filter(service -> service.getString("name").startsWith(prefix))
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
