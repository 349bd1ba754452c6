package dev.ruta.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A real Consul agent in dev mode (server and client in one, state in memory) on free loopback
 * ports. Stop and start keep the ports, so services configured with {@link #httpUrl()} find the
 * agent again after a restart, as they would find their host's agent.
 */
public final class ConsulAgent implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConsulAgent.class.getName());
    private static ConsulAgent shared;

    private final int httpPort = FreePorts.next();
    private final int dnsPort = FreePorts.next();
    private final int serfLanPort = FreePorts.next();
    private final int serverPort = FreePorts.next();
    private final Path logDir = ProjectPaths.scratch("consul-");
    private final Path configFile = logDir.resolve("agent.hcl");
    private Process process;
    private int starts;

    private ConsulAgent(String config) {
        writeConfig(config);
    }

    /** An agent of its own with this HCL configuration (for limits the shared one must not have); the caller closes it. */
    public static ConsulAgent configured(String hcl) {
        return new ConsulAgent(hcl);
    }

    /** The one agent of this test run; started on first use, stopped by {@link ConsulExtension} at the end. */
    public static synchronized ConsulAgent shared() {
        if (shared == null) {
            shared = new ConsulAgent("");
        }
        return shared;
    }

    public URI httpUrl() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    public ConsulApi api() {
        return new ConsulApi(httpUrl());
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized ConsulAgent start() {
        if (isRunning()) {
            return this;
        }
        List<String> command = new ArrayList<>(List.of(binary().toString(), "agent", "-dev",
                "-bind", "127.0.0.1", "-client", "127.0.0.1", "-node", "ruta-test",
                "-http-port", String.valueOf(httpPort), "-dns-port", String.valueOf(dnsPort),
                "-serf-lan-port", String.valueOf(serfLanPort), "-server-port", String.valueOf(serverPort),
                "-grpc-port", "-1", "-serf-wan-port", "-1", "-log-level", "warn", "-config-file", configFile.toString()));
        try {
            Path log = logDir.resolve("consul-" + (++starts) + ".log");
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process started = process;
        await("Consul agent on " + httpUrl() + " has a leader").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .failFast("Consul agent exited; see " + logDir, () -> !started.isAlive())
                .until(() -> api().hasLeader());
        return this;
    }

    /** SIGTERM to this agent's PID, as a service manager would stop it. A dev agent forgets every registration. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Rewrites the agent's configuration and signals it (SIGHUP to its PID) to reload what Consul can reload. */
    public synchronized void reload(String hcl) {
        writeConfig(hcl);
        try {
            Process hup = new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid())).inheritIO().start();
            if (hup.waitFor() != 0) {
                throw new IllegalStateException("kill -HUP " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void writeConfig(String hcl) {
        try {
            Files.writeString(configFile, hcl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void restart() {
        stop();
        start();
    }

    @Override
    public void close() {
        stop();
        ProjectPaths.deleteTree(logDir);
    }

    /** The installer prints the agent's path, fetching Debian's consul package into .tools/ if there is none. */
    static Path binary() {
        String configured = System.getProperty("ruta.consul.binary");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path installer = ProjectPaths.root().resolve("provisioning/install-consul.sh");
        try {
            Process install = new ProcessBuilder("bash", installer.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (install.waitFor() != 0 || out.isEmpty()) {
                throw new IllegalStateException(installer + " failed with exit code " + install.exitValue());
            }
            String path = out.lines().reduce((first, second) -> second).orElseThrow();
            LOG.log(Level.FINE, "Consul agent binary: {0}", path);
            if (!Files.isExecutable(Path.of(path))) {
                throw new IllegalStateException(installer + " printed " + path + ", which is not executable");
            }
            return Path.of(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
