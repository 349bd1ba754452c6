package dev.ruta.provisioning;

import dev.ruta.testing.ProjectPaths;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A network of test hosts, an inventory of some of them, and the {@code provisioning/deploy.sh}
 * runs against it, as an operator would make them. Each run's output goes to
 * target/process-logs/deploy-{name}-{step}.log; closing runs {@code down} if anything may still
 * run, removes the hosts, and deletes the inventory, its secrets and the hosts' disks.
 */
final class Deployment implements AutoCloseable {

    /** Namespace hosts inherit deploy.sh's environment, which MicroProfile Config reads: a
     * lost host's open connection costs 2 s here rather than the default 10 s. */
    private static final String READ_TIMEOUT = "2s";

    private final String name;
    private final TestNetwork network;
    private final Path work;
    private final Path inventory;
    private boolean deployed;

    private Deployment(String name) {
        this.name = name;
        this.network = new TestNetwork();
        this.work = ProjectPaths.scratch("deploy-" + name);
        this.inventory = work.resolve("hosts");
    }

    /** A deployment on test hosts of its own; the test is skipped where they cannot be made. */
    static Deployment onTestHosts(String name) {
        Assumptions.assumeTrue(TestNetwork.available(),
                "test hosts need root, iproute2 and network namespaces; CI runs as root with all three");
        return new Deployment(name);
    }

    TestNetwork network() {
        return network;
    }

    /** The text of every log file under the folder, for what must never be in one. */
    static String logsUnder(Path dir) throws IOException {
        StringBuilder logs = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(file -> file.getFileName().toString().endsWith(".log")).toList()) {
                logs.append(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        return logs.toString();
    }

    /** Adds the host's line to the inventory. */
    void add(TestHost host, String roles, String greeting) {
        append(host.address() + " " + roles + " " + host.reach() + " " + greeting);
    }

    /** Adds the line of a virtual address that keepalived moves between the balancer hosts. */
    void vip(String address) {
        append("vip " + address);
    }

    /** Adds a "set key=value" line: a MicroProfile Config setting for every Ruta server. */
    void set(String setting) {
        append("set " + setting);
    }

    private void append(String line) {
        try {
            Files.writeString(inventory, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** deploy.sh [options] INVENTORY verb; its exit status. */
    int run(String step, String verb, String... options) {
        deployed |= verb.equals("up");
        List<String> arguments = new ArrayList<>(List.of(options));
        arguments.add(inventory.toString());
        arguments.add(verb);
        int status = script(step, "provisioning/deploy.sh", arguments, Map.of(), Duration.ofMinutes(6));
        deployed &= !(verb.equals("down") && status == 0);
        return status;
    }

    /**
     * A provisioning script that works on this deployment's hosts (as deploy.sh does), with
     * these arguments and extra environment; its exit status, its output in the step's log.
     */
    int script(String step, String script, List<String> arguments, Map<String, String> environment, Duration timeout) {
        List<String> command = new ArrayList<>(List.of(ProjectPaths.root().resolve(script).toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile(step).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Each test host's own "disk": where deploy.sh copies the bundle for it.
        builder.environment().put("RUTA_HOSTS_DIR", disks().toString());
        builder.environment().put("BALANCER_READ_TIMEOUT", READ_TIMEOUT);
        builder.environment().putAll(environment);
        return Commands.exitStatus(builder, timeout);
    }

    Path inventory() {
        return inventory;
    }

    /** What the run of that step printed. */
    String log(String step) {
        try {
            return Files.readString(logFile(step));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    Path disks() {
        return work.resolve("disks");
    }

    /** The folder deploy.sh copied the host's bundle to. */
    Path disk(TestHost host) {
        return disks().resolve(host.namespace());
    }

    /**
     * SIGKILL, as a crash, to the process that runs PART (consul, operations, balancer) on the
     * host, by the PID deploy.sh recorded; returns once it is gone.
     */
    void kill(TestHost host, String part) throws IOException {
        Path pidFile = disk(host).resolve(".run").resolve(part).resolve("pid");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("not running: " + pidFile));
        process.destroyForcibly();
        process.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }

    /** Where deploy.sh keeps the secrets it made for this inventory. */
    Path secrets() {
        return work.resolve("hosts.secrets");
    }

    /** A scratch folder of the test's own, removed with the deployment. */
    Path work() {
        return work;
    }

    private Path logFile(String step) {
        try {
            return Files.createDirectories(Path.of("target", "process-logs")).resolve("deploy-" + name + "-" + step + ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (deployed) {
                run("down-after-test", "down");
            }
        } finally {
            try {
                network.close();
            } finally {
                ProjectPaths.deleteTree(work);
            }
        }
    }
}
