package dev.ruta.balancer.discovery;

import dev.ruta.balancer.discovery.ConsulHttp.ConsulAnswer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Consul blocking query, followed for as long as the balancer runs on a thread of its own:
 * each answer whose index moved goes to the handler. A failure (of the query or of the handler)
 * is logged once per streak, retried with capped exponential backoff and asked afresh from
 * index 0, since the agent may be a new one with a younger index. An answer whose index is
 * younger than the last one seen means Consul lost what it knew (a dev agent restarted, a
 * snapshot restored): {@code registryReset} hears of it before the handler gets the answer. A
 * watch never dies.
 */
final class BlockingWatch {

    private static final Logger LOG = Logger.getLogger(BlockingWatch.class.getName());

    /** What to do with an answer; a failure here is retried like a failed query. */
    interface Handler {
        void changed(ConsulAnswer answer) throws IOException, InterruptedException;
    }

    private final String name;
    private final ConsulHttp consul;
    private final String path;
    private final Handler handler;
    private final Runnable registryReset;
    private final Duration maxRetryDelay;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Instant lastSuccess;
    private volatile String lastError;

    BlockingWatch(String name, ConsulHttp consul, String path, Handler handler, Runnable registryReset,
                  Duration maxRetryDelay, ThreadFactory threads) {
        this.name = name;
        this.consul = consul;
        this.path = path;
        this.handler = handler;
        this.registryReset = registryReset;
        this.maxRetryDelay = maxRetryDelay;
        this.thread = threads.newThread(this::follow);
        thread.setName("ruta-consul-" + name);
    }

    void start() {
        thread.start();
    }

    void close() {
        closed = true;
        thread.interrupt();
    }

    /** When an answer was last handled whole; empty before the first. */
    Optional<Instant> lastSuccess() {
        return Optional.ofNullable(lastSuccess);
    }

    /** Why the last attempt failed, while it keeps failing. */
    Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    private void follow() {
        long index = 0;
        long lastSeen = 0;
        int failures = 0;
        while (!closed) {
            try {
                ConsulAnswer answer = consul.watch(path, index);
                long previous = index;
                index = BlockingIndex.next(index, answer.index());
                if (answer.index() < lastSeen) {
                    registryReset.run();
                }
                lastSeen = answer.index();
                if (answer.index() != previous) {
                    handler.changed(answer);
                }
                succeeded();
                failures = 0;
            } catch (IOException | RuntimeException e) {
                index = 0;
                failures = failed(e, failures);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void succeeded() {
        lastSuccess = Instant.now();
        if (lastError != null) {
            LOG.log(Level.INFO, "Consul at {0} answers the {1} watch again; following it", new Object[] {consul.address(), name});
            lastError = null;
        }
    }

    private int failed(Exception e, int failures) {
        if (closed) {
            return failures;
        }
        if (e instanceof RuntimeException) {
            LOG.log(Level.SEVERE, "Unexpected error in the Consul " + name + " watch; retrying", e);
        }
        if (lastError == null) {
            LOG.log(Level.WARNING, "Consul at {0} fails the {1} watch ({2}); routing on the last complete table and retrying",
                    new Object[] {consul.address(), name, String.valueOf(e)});
        }
        lastError = name + ": " + (e.getMessage() == null ? e : e.getMessage());
        long delayMillis = Math.min(maxRetryDelay.toMillis(), 250L << Math.min(failures, 16));
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return failures + 1;
    }
}
