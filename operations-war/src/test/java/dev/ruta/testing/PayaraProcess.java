package dev.ruta.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Payara Micro server run from one of the project's uber jars, as a separate process on
 * a free port, with its own temp folder. Stopped by its PID: SIGTERM, or SIGKILL to simulate a crash.
 */
public final class PayaraProcess implements AutoCloseable {

    private final Path jar;
    private final int port;
    private final Map<String, String> properties;
    private final Path scratch;
    private final List<String> extraArgs = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Process process;

    public PayaraProcess(Path jar, int port, Map<String, String> properties) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn package first");
        }
        this.jar = jar;
        this.port = port;
        this.properties = Map.copyOf(properties);
        this.scratch = ProjectPaths.scratch("payara-" + port + "-");
    }

    /** The uber jar of a module of this project, e.g. "operations-war", "operations". */
    public static Path uberJar(String module, String name) {
        return ProjectPaths.root().resolve(module).resolve("target").resolve(name + ".jar");
    }

    /** Payara Micro options added after --port, e.g. --autoBindHttp. */
    public PayaraProcess withArgs(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /** JVM options after the shared ones, which they override (e.g. a smaller -Xmx). */
    public PayaraProcess withJvmOptions(String... options) {
        jvmOptions.addAll(List.of(options));
        return this;
    }

    public PayaraProcess start() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(sharedJvmOptions());
        command.addAll(jvmOptions);
        command.add("-Djava.io.tmpdir=" + scratch.resolve("tmp"));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(port)));
        command.addAll(extraArgs);
        try {
            Files.createDirectories(scratch.resolve("tmp"));
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(scratch.resolve("server.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Waits until the server answers 2xx at the path: the application is deployed. */
    /** The JVM options the provisioning scripts use too, from payara-config/jvm.options. */
    static List<String> sharedJvmOptions() {
        try {
            return Files.readAllLines(ProjectPaths.root().resolve("payara-config/jvm.options")).stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public PayaraProcess awaitUp(String path) {
        Process started = process;
        try {
            await(jar.getFileName() + " answering on port " + port).atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(250))
                    .failFast("server exited; log: " + log(), () -> !started.isAlive())
                    .until(() -> TestHttp.answers(url(path)) && TestHttp.get(url(path)).status() / 100 == 2);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // A server that never came up: where its threads stand says why (a boot once stalled here).
            throw new AssertionError(e.getMessage() + "\nits threads:\n" + threadDump(started), e);
        }
        return this;
    }

    private static String threadDump(Process server) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(server.pid()), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor();
            return dump;
        } catch (IOException e) {
            return "(no thread dump: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The server's java.io.tmpdir: its own, removed with it. */
    public Path tempFolder() {
        return scratch.resolve("tmp");
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM: the server shuts down cleanly, running @PreDestroy. Returns the exit code. */
    public int terminate() {
        return stop(false);
    }

    /** SIGKILL: a crash; nothing in the server runs. */
    public void kill() {
        stop(true);
    }

    public String log() {
        try {
            Path log = scratch.resolve("server.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Stops the server and removes its files, keeping its log under target/process-logs for a failed run. */
    @Override
    public void close() {
        stop(false);
        try {
            Path logs = Files.createDirectories(Path.of("target", "process-logs"));
            Path log = scratch.resolve("server.log");
            if (Files.exists(log)) {
                Files.copy(log, logs.resolve(jar.getFileName() + "-" + port + "-" + System.currentTimeMillis() + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // Only a convenience for debugging: the test's own result stands.
        }
        ProjectPaths.deleteTree(scratch);
    }

    private int stop(boolean forcibly) {
        if (process == null) {
            return -1;
        }
        Process running = process;
        try {
            if (forcibly) {
                running.destroyForcibly();
            } else {
                running.destroy();
            }
            if (!running.waitFor(30, TimeUnit.SECONDS)) {
                running.destroyForcibly();
                running.waitFor(10, TimeUnit.SECONDS);
            }
            return running.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } finally {
            process = null;
        }
    }
}
