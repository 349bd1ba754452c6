package dev.ruta.provisioning;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.provisioning.Commands.Outcome;
import dev.ruta.testing.FreePorts;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.ProjectPaths;
import dev.ruta.testing.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code provisioning/local-cluster.sh} as a user runs it for the seed's demonstration: up with
 * two instances, add a third of twice their weight, kill one, stop one, status, down. On free ports, with its own
 * Consul and its own run folder, so it never meets a cluster the user has running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterScriptIT {

    private static final Pattern ADDED = Pattern.compile("added (operations-127\\.0\\.0\\.1-(\\d+))");

    private final Path run = ProjectPaths.scratch("local-cluster-").resolve("run");
    private final int consulPort = FreePorts.next();
    private final int balancerPort = FreePorts.next();
    private final int first = FreePorts.next();
    private final int second = FreePorts.next();
    private final Map<String, String> consulPorts = Map.of("CONSUL_HTTP_PORT", String.valueOf(consulPort),
            "CONSUL_DNS_PORT", String.valueOf(FreePorts.next()), "CONSUL_SERF_LAN_PORT", String.valueOf(FreePorts.next()),
            "CONSUL_SERVER_PORT", String.valueOf(FreePorts.next()));
    private final Set<Long> started = new HashSet<>();
    private String added;

    @BeforeAll
    void up() {
        Outcome up = script("up");
        assertEquals(0, up.exit(), up.output());
        rememberProcesses();
    }

    @AfterAll
    void down() {
        keepServerLogs();
        try {
            script("down");
        } finally {
            ProjectPaths.deleteTree(run.getParent());
        }
    }

    /** The servers' logs, copied where they outlive the run folder (which down removes), for a failed run. */
    private void keepServerLogs() {
        if (!Files.isDirectory(run)) {
            return;
        }
        try (Stream<Path> folders = Files.list(run)) {
            Path logs = Files.createDirectories(Path.of("target", "process-logs"));
            for (Path log : folders.map(folder -> folder.resolve("server.log")).filter(Files::exists).toList()) {
                Files.copy(log, logs.resolve("local-cluster-" + log.getParent().getFileName() + ".log"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(1)
    void badArgumentsGetTheUsageAndExitCode2AndStopNothing() {
        for (List<String> bad : List.of(List.of("frobnicate"), List.of("stop"), List.of("kill", "operations-nowhere"),
                List.of("stop", "1"), List.of("status", "extra"), List.of("add", "--weight"), List.of("add", "--weight", "0"),
                List.of("add", "--weight", "65536"), List.of("add", "--weight", "x"), List.of("add", "--heavy", "2"),
                List.of("start"), List.of("start", "operations-nowhere"), List.of("start", String.valueOf(first)),
                List.of("restart-consul", "now"))) {
            Outcome outcome = script(bad.toArray(String[]::new));
            assertEquals(2, outcome.exit(), bad + ": " + outcome.output());
            assertTrue(outcome.output().contains("usage:"), bad + ": " + outcome.output());
        }
        assertTrue(started.stream().allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)),
                "every process still runs");
    }

    @Test
    @Order(2)
    void addStartsAThirdInstanceThatTakesItsWeightsShare() {
        Outcome add = script("add", "--weight", "2");
        assertEquals(0, add.exit(), add.output());
        Matcher matcher = ADDED.matcher(add.output());
        assertTrue(matcher.find(), add.output());
        added = matcher.group(1);
        rememberProcesses();
        await("the balancer routes the added instance").atMost(Duration.ofMinutes(1))
                .until(() -> balancerTable().contains("\"" + added + "\""));
        Map<String, Integer> answered = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            HttpReply reply = TestHttp.get(balancer("/api/operations/add?a=1&b=2"));
            assertEquals(200, reply.status(), reply.body());
            answered.merge(reply.header("X-Ruta-Instance"), 1, Integer::sum);
        }
        assertEquals(Map.of(id(first), 10, id(second), 10, added, 20), answered, "weights 1, 1 and 2 over ten cycles");
    }

    @Test
    @Order(3)
    void killingOneFailsNoRequest() {
        Outcome kill = script("kill", added);
        assertEquals(0, kill.exit(), kill.output());
        await("the killed instance leaves the balancer's table").atMost(Duration.ofMinutes(1))
                .until(() -> !balancerTable().contains("\"" + added + "\""));
        for (int i = 0; i < 100; i++) {
            HttpReply reply = TestHttp.get(balancer("/api/operations/add?a=1&b=2"));
            assertEquals(200, reply.status(), "request " + i + ": " + reply.body());
        }
    }

    @Test
    @Order(4)
    void aKilledInstanceStartsAgainOnItsPortAndWeight() {
        Outcome start = script("start", added);
        assertEquals(0, start.exit(), start.output());
        rememberProcesses();
        await("the balancer routes it again").atMost(Duration.ofMinutes(1))
                .until(() -> balancerTable().contains("\"" + added + "\""));
        assertTrue(balancerTable().matches("(?s).*\"id\":\"" + added + "\"[^}]*\"weight\":2.*"), balancerTable());
    }

    @Test
    @Order(5)
    void stoppingOneDeregistersIt() {
        Outcome stop = script("stop", String.valueOf(second));
        assertEquals(0, stop.exit(), stop.output());
        await("deregistered from Consul").atMost(Duration.ofMinutes(1))
                .until(() -> !TestHttp.get(URI.create("http://127.0.0.1:" + consulPort + "/v1/agent/services")).body()
                        .contains(id(second)));
    }

    @Test
    @Order(6)
    void statusListsEachInstanceWithItsHealthAndRequests() {
        Outcome status = script("status");
        assertEquals(0, status.exit(), status.output());
        String running = status.output().lines().filter(line -> line.startsWith(id(first))).findFirst().orElse("");
        assertTrue(running.matches(id(first) + "\\s+" + first + "\\s+\\d+\\s+passing\\s+1\\s+\\d+"), status.output());
        String stopped = status.output().lines().filter(line -> line.startsWith(id(second))).findFirst().orElse("");
        assertTrue(stopped.matches(id(second) + "\\s+" + second + "\\s+stopped\\s+gone\\s+.*"), status.output());
        assertTrue(status.output().contains(added), status.output());
    }

    @Test
    @Order(7)
    void downLeavesNoProcess() {
        Outcome down = script("down");
        assertEquals(0, down.exit(), down.output());
        assertTrue(started.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)),
                "a process outlived 'down'");
        assertFalse(Files.exists(run), "the run folder is removed");
    }

    private static String id(int port) {
        return "operations-127.0.0.1-" + port;
    }

    private URI balancer(String path) {
        return URI.create("http://127.0.0.1:" + balancerPort + path);
    }

    private String balancerTable() {
        return TestHttp.get(balancer("/balancer/services")).body();
    }

    /** The PIDs the script recorded, so the test can tell whether 'down' stopped them all. */
    private void rememberProcesses() {
        try (Stream<Path> folders = Files.list(run)) {
            for (Path pid : folders.map(folder -> folder.resolve("pid")).filter(Files::exists).toList()) {
                started.add(Long.parseLong(Files.readString(pid).strip()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Outcome script(String... arguments) {
        Map<String, String> environment = new HashMap<>(consulPorts);
        environment.putAll(Map.of("RUN_DIR", run.toString(), "OPERATIONS_PORTS", first + " " + second,
                "BALANCER_PORT", String.valueOf(balancerPort)));
        Outcome outcome = Commands.script("provisioning/local-cluster.sh", environment, Duration.ofMinutes(5), arguments);
        if (outcome.exit() == 1) {
            // The script gave up (a server that did not start, say): its log says why.
            keepServerLogs();
        }
        return outcome;
    }
}
