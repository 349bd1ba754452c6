package dev.ruta.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.ProjectPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The systemd units host.sh installs where systemd runs the machine, written by
 * {@code host.sh units} from a bundle like the one deploy.sh sends a secure host, and checked
 * by {@code systemd-analyze verify}. (This machine's PID 1 is not systemd, so the units are
 * not started here.)
 */
class SystemdUnitsIT {

    private static final String TOKEN = "3f0c6a52-94ad-4c1e-8b1f-6d8e2a7c9b10";
    private static final String MESSAGE = "Hola 100% $HOME \"desde\" la máquina";

    private Path bundle;

    @BeforeEach
    void makeBundle() throws IOException {
        bundle = ProjectPaths.scratch("units");
        Path root = ProjectPaths.root();
        Files.createDirectories(bundle.resolve("provisioning/lib"));
        for (String script : List.of("provisioning/host.sh", "provisioning/install-consul.sh", "provisioning/lib/common.sh",
                "provisioning/lib/units.sh", "provisioning/lib/tls.sh", "provisioning/lib/vrrp.sh", "payara-config/jvm.options")) {
            Files.createDirectories(bundle.resolve(script).getParent());
            Files.copy(root.resolve(script), bundle.resolve(script));
        }
        // The units name the jars; the verification does not read them.
        for (String jar : List.of("operations-war/target/operations.jar", "balancer-war/target/balancer.jar")) {
            Files.createDirectories(bundle.resolve(jar).getParent());
            Files.createFile(bundle.resolve(jar));
        }
        Path secrets = Files.createDirectories(bundle.resolve("secrets"));
        for (String name : List.of("gossip.key", "ca.pem", "cert.pem", "key.pem", "agent.token", "operations.token",
                "balancer.token")) {
            Files.writeString(secrets.resolve(name), TOKEN + "\n");
        }
    }

    @AfterEach
    void removeBundle() {
        ProjectPaths.deleteTree(bundle);
    }

    @Test
    void eachPartIsAUnitThatRestartsOnFailureAndStopsCleanly() throws IOException {
        Path units = bundle.resolve("units");
        String consul = Commands.output(Duration.ofMinutes(5), ProjectPaths.root().resolve("provisioning/install-consul.sh")
                .toString()).strip();
        ProcessBuilder command = new ProcessBuilder("env", "CONSUL_BIN=" + consul, "bash", bundle.resolve("provisioning/host.sh").toString(),
                "units", units.toString(), "--address", "198.18.0.11", "--roles", "operations,balancer",
                "--join", "198.18.0.2,198.18.0.3,198.18.0.4", "--servers", "3", "--message", MESSAGE,
                "--set", "balancer.strategy=peak-ewma")
                .redirectErrorStream(true).redirectOutput(bundle.resolve("units.log").toFile());
        assertEquals(0, Commands.exitStatus(command, Duration.ofMinutes(5)), Files.readString(bundle.resolve("units.log")));

        Map<String, String> written;
        try (Stream<Path> files = Files.list(units)) {
            written = files.collect(Collectors.toMap(file -> file.getFileName().toString(), SystemdUnitsIT::read));
        }
        assertEquals(List.of("ruta-balancer.service", "ruta-consul.service", "ruta-operations.service"),
                written.keySet().stream().sorted().toList());
        String agent = written.get("ruta-consul.service");
        String operations = written.get("ruta-operations.service");
        String balancer = written.get("ruta-balancer.service");

        // Every part restarts when it fails and starts at boot, after the network.
        for (String unit : written.values()) {
            assertTrue(unit.contains("\nRestart=on-failure\n"), unit);
            assertTrue(unit.contains("\nWantedBy=multi-user.target\n"), unit);
            assertTrue(unit.contains("After=network-online.target"), unit);
            assertFalse(unit.contains(TOKEN), "a secret is in a unit:\n" + unit);
        }
        // The agent leaves the cluster on SIGINT, with its secure settings from a file.
        assertTrue(agent.contains("\nKillSignal=SIGINT\n"), agent);
        assertTrue(agent.contains("\"-config-file\" \"" + bundle.resolve(".run/consul/secure.json") + "\""), agent);
        assertTrue(agent.contains("\"-retry-join\" \"198.18.0.2\" \"-retry-join\" \"198.18.0.3\""), agent);
        // The servers start after the agent, stop on SIGTERM (an instance deregisters), and get
        // their token from an owner-only environment file.
        for (String server : List.of(operations, balancer)) {
            assertTrue(server.contains("\nAfter=network-online.target ruta-consul.service\n"), server);
            assertTrue(server.contains("\nKillSignal=SIGTERM\n"), server);
        }
        assertTrue(operations.contains("\nEnvironmentFile=" + bundle.resolve(".run/operations/token.env") + "\n"), operations);
        assertTrue(balancer.contains("\nEnvironmentFile=" + bundle.resolve(".run/balancer/token.env") + "\n"), balancer);
        // The greeting reaches the JVM as one argument, with systemd's % and $ kept literal.
        assertTrue(operations.contains("\"-Dservice.message=Hola 100%% $$HOME \\\"desde\\\" la máquina\""), operations);
        // An inventory's "set" line reaches both servers as a system property, which MicroProfile Config reads.
        assertTrue(operations.contains("\"-Dbalancer.strategy=peak-ewma\""), operations);
        assertTrue(balancer.contains("\"-Dbalancer.strategy=peak-ewma\""), balancer);
        assertFalse(Files.exists(bundle.resolve(".run")), "writing the units started something");

        Assumptions.assumeTrue(Commands.exitStatus(new ProcessBuilder("systemd-analyze", "--version")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true), Duration.ofSeconds(30)) == 0,
                "systemd-analyze is not installed (Debian: systemd)");
        List<String> verify = new ArrayList<>(List.of("systemd-analyze", "verify"));
        written.keySet().stream().sorted().map(name -> units.resolve(name).toString()).forEach(verify::add);
        Path report = bundle.resolve("verify.log");
        int status = Commands.exitStatus(new ProcessBuilder(verify).redirectErrorStream(true).redirectOutput(report.toFile()),
                Duration.ofMinutes(1));
        assertEquals(0, status, Files.readString(report));
        assertEquals("", Files.readString(report).strip(), "systemd-analyze found something to say");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
