package dev.ruta.balancer.accesslog;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One line per forwarded request, in {@code ruta-access.log} under Payara's log folder:
 * <pre>2026-11-27T21:40:01.123Z 127.0.0.1 GET /api/operations/add 200 operations-host-8081 3.2ms retries=0</pre>
 * Time the request came, client address, method, path (without its query, which may carry
 * secrets), status, the instance that answered ({@code -} if none), duration, retries. Lines
 * are queued and written in batches by one thread, at most five times a second; when the disk
 * cannot keep up, lines are dropped and counted rather than making requests wait.
 */
@ApplicationScoped
public class AccessLog {

    private static final Logger LOG = Logger.getLogger(AccessLog.class.getName());
    private static final int QUEUED = 16_384;
    /** Lines are written at most this often: the queue holds 80,000 requests/s of them. */
    private static final long GATHER_MILLIS = 200;

    private final boolean enabled;
    private final Path file;
    private final LogTimestamps timestamps = new LogTimestamps();
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUED);
    private final AtomicLong dropped = new AtomicLong();

    @Resource
    private ManagedThreadFactory threads;
    private Thread writer;

    protected AccessLog() {
        this(false);
    }

    @Inject
    public AccessLog(@ConfigProperty(name = "balancer.access-log") boolean enabled) {
        this.enabled = enabled;
        this.file = logFolder().resolve("ruta-access.log");
    }

    /** Payara's own log folder: under the server's instance root, or the working folder without one. */
    private static Path logFolder() {
        String instanceRoot = System.getProperty("com.sun.aas.instanceRoot");
        return instanceRoot == null ? Path.of("logs") : Path.of(instanceRoot, "logs");
    }

    @PostConstruct
    void start() {
        if (!enabled) {
            return;
        }
        writer = threads.newThread(this::writeLines);
        writer.setName("ruta-access-log");
        writer.start();
        LOG.log(Level.INFO, "Access log: {0}", file.toAbsolutePath());
    }

    public void record(Instant received, String client, String method, String path, int status, String instance,
                       Duration took, int retries) {
        record(received, client, method, path, status, instance, took, retries, null);
    }

    /** @param detail appended to the line when not null: what else the balancer knows of the exchange */
    public void record(Instant received, String client, String method, String path, int status, String instance,
                       Duration took, int retries, String detail) {
        if (!enabled) {
            return;
        }
        long tenthsOfMillis = took.toNanos() / 100_000;
        StringBuilder line = new StringBuilder(128);
        timestamps.append(line, received);
        line.append(' ').append(printable(client)).append(' ').append(printable(method)).append(' ')
                .append(printable(path)).append(' ').append(status).append(' ')
                .append(instance == null ? "-" : printable(instance)).append(' ')
                .append(tenthsOfMillis / 10).append('.').append(tenthsOfMillis % 10).append("ms retries=").append(retries);
        if (detail != null) {
            line.append(' ').append(detail);
        }
        if (!lines.offer(line.toString())) {
            dropped.incrementAndGet();
        }
    }

    /** Whatever the client sent stays on one line and cannot forge another. */
    private static String printable(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                if (out == null) {
                    out = new StringBuilder(value.substring(0, i));
                }
                out.append(String.format("%%%02X", (int) c & 0xff));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? value : out.toString();
    }

    private void writeLines() {
        List<String> batch = new ArrayList<>(256);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                while (true) {
                    try {
                        batch.add(lines.take());
                        lines.drainTo(batch);
                        write(out, batch);
                        // Lines gather meanwhile: woken for each one, this thread would cost
                        // every request a context switch.
                        Thread.sleep(GATHER_MILLIS);
                    } catch (InterruptedException e) {
                        // Stopping: what is queued still goes out.
                        lines.drainTo(batch);
                        write(out, batch);
                        return;
                    }
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "The access log " + file + " cannot be written; no more lines go to it", e);
        }
    }

    private void write(BufferedWriter out, List<String> batch) throws IOException {
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            out.write("# " + lost + " lines dropped: the disk did not keep up");
            out.newLine();
        }
        for (String line : batch) {
            out.write(line);
            out.newLine();
        }
        batch.clear();
        out.flush();
    }

    @PreDestroy
    void stop() {
        if (writer != null) {
            writer.interrupt();
        }
    }
}
