package dev.ruta.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.provisioning.Commands.Outcome;
import dev.ruta.testing.FreePorts;
import dev.ruta.testing.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code provisioning/chaos.sh} as a user runs it, for two minutes: it starts its own local
 * cluster, sends 100 requests a second through the balancer while an instance is killed and
 * restarted, one is paused, the Consul agent restarts and a registration is removed (the seed
 * picks them, in that order), and not one request fails. Then the cluster is gone.
 */
class ChaosSoakIT {

    /** A seed whose first faults are a kill, a pause, a Consul restart and a deregistration. */
    private static final String SEED = "11";

    private final Path scratch = ProjectPaths.scratch("chaos-");
    private final Path run = scratch.resolve("run");
    private final Path out = scratch.resolve("out");

    @AfterEach
    void cleanUp() {
        try {
            if (Files.isDirectory(run)) {
                // A soak that failed half-way: its cluster is stopped as the script would.
                Outcome down = Commands.script("provisioning/local-cluster.sh", Map.of("RUN_DIR", run.toString()),
                        Duration.ofMinutes(2), "down");
                if (down.exit() != 0) {
                    System.err.println("local-cluster.sh down after a failed soak: exit " + down.exit() + "\n" + down.output());
                }
            }
        } finally {
            ProjectPaths.deleteTree(scratch);
        }
    }

    @Test
    void badArgumentsGetAClearErrorAndChangeNothing() {
        for (List<String> bad : List.of(List.of("ten"), List.of("0"), List.of("2", "3"), List.of("--seed", "x"),
                List.of("--rate", "0"), List.of("--inventory", scratch.resolve("nowhere").toString()),
                List.of("--load-from", "netns:client"), List.of("--inventory", "pom.xml", "--load-from", "ssh:host"))) {
            Outcome outcome = chaos(bad.toArray(String[]::new));
            assertEquals(2, outcome.exit(), bad + ": " + outcome.output());
            assertTrue(outcome.output().contains("usage:"), bad + ": " + outcome.output());
            assertFalse(Files.exists(run) || Files.exists(out), bad + " made files");
        }
    }

    @Test
    void twoMinutesOfFaultsFailNoRequest() throws IOException {
        Outcome soak = chaos("2", "--seed", SEED);
        String faults = Files.exists(out.resolve("faults.txt")) ? Files.readString(out.resolve("faults.txt")) : "";
        System.out.println(soak.output());
        assertEquals(0, soak.exit(), soak.output());
        assertTrue(soak.output().contains("failed requests outside a balancer's own kill: 0"), soak.output());
        Set<String> kinds = faults.lines().map(line -> line.split(" ")[0]).collect(Collectors.toSet());
        assertEquals(Set.of("kill", "pause", "consul", "deregister"), kinds, faults);
        assertTrue(faults.lines().noneMatch(line -> line.split(" ")[3].equals("-1")), "every fault recovered: " + faults);
        long requests = Files.lines(out.resolve("requests.txt")).count();
        assertEquals(12_000, requests, "every request of two minutes at 100 a second was sent and counted");
        assertTrue(Files.readString(out.resolve("soak.svg")).contains("<svg"), "the picture");
        assertFalse(Files.exists(run), "the cluster the soak started is down, its folder removed");
    }

    private Outcome chaos(String... arguments) {
        return Commands.script("provisioning/chaos.sh", Map.of("RUN_DIR", run.toString(), "OUT_DIR", out.toString(),
                "CONSUL_HTTP_PORT", String.valueOf(FreePorts.next()), "CONSUL_DNS_PORT", String.valueOf(FreePorts.next()),
                "CONSUL_SERF_LAN_PORT", String.valueOf(FreePorts.next()),
                "CONSUL_SERVER_PORT", String.valueOf(FreePorts.next()),
                "OPERATIONS_PORTS", FreePorts.next() + " " + FreePorts.next() + " " + FreePorts.next(),
                "BALANCER_PORT", String.valueOf(FreePorts.next())), Duration.ofMinutes(10), arguments);
    }
}
