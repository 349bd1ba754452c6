package dev.ruta.balancer.proxy.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one thread that watches every tunnel's instance side, and the tunnels open now. It also
 * closes tunnels idle longer than their limit, and all of them when it stops. It never closes a
 * client's side itself: the container may make that wait on a lock of its own, and this thread
 * serves every tunnel; two threads of {@link #closeClientSide} do it.
 */
public final class TunnelHub implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TunnelHub.class.getName());
    private static final long SWEEP_MILLIS = 1000;

    private final Selector selector;
    private final Object registering = new Object();
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    private final long idleNanos;
    private final long writeNanos;
    private final Thread thread;
    private final ThreadPoolExecutor closer;
    /** When the loop last went round: at most about SWEEP_MILLIS ago while it serves. */
    private volatile long lastTurn = System.nanoTime();
    private volatile boolean stopping;

    public TunnelHub(Duration idleTimeout, Duration writeTimeout, ThreadFactory threads) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        idleNanos = idleTimeout.toNanos();
        writeNanos = writeTimeout.toNanos();
        closer = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread closing = threads.newThread(task);
            closing.setName("ruta-tunnel-closer");
            closing.setDaemon(true);
            return closing;
        });
        closer.allowCoreThreadTimeOut(true);
        thread = threads.newThread(this::run);
        thread.setName("ruta-tunnels");
        thread.setDaemon(true);
        thread.start();
    }

    SelectionKey register(SelectableChannel channel, Tunnel tunnel) throws IOException {
        synchronized (registering) {
            // register() waits for a select() in progress: woken, the loop waits on this lock.
            selector.wakeup();
            SelectionKey key = channel.register(selector, 0, tunnel);
            open.add(tunnel);
            return key;
        }
    }

    void interestChanged() {
        selector.wakeup();
    }

    void closed(Tunnel tunnel) {
        open.remove(tunnel);
    }

    /** Runs a client side's close: on a closer's thread when asked on this one's, else at once. */
    void closeClientSide(Runnable close) {
        if (Thread.currentThread() != thread) {
            close.run();
            return;
        }
        try {
            closer.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }

    /** Tunnels joined and not yet closed. */
    public int openCount() {
        return open.size();
    }

    /** Nanoseconds since the loop last went round; 0 once stopped. */
    public long lagNanos(long now) {
        return stopping ? 0 : now - lastTurn;
    }

    private void run() {
        long nextSweep = System.nanoTime();
        while (!stopping) {
            lastTurn = System.nanoTime();
            try {
                synchronized (registering) {
                    // Lets a registration under way finish before selecting again.
                }
                selector.select(SWEEP_MILLIS);
                for (Iterator<SelectionKey> selected = selector.selectedKeys().iterator(); selected.hasNext(); ) {
                    SelectionKey key = selected.next();
                    selected.remove();
                    serve(key);
                }
                if (System.nanoTime() - nextSweep >= 0) {
                    nextSweep = System.nanoTime() + SWEEP_MILLIS * 1_000_000;
                    long now = System.nanoTime();
                    open.stream().filter(tunnel -> tunnel.idleSince(now) > idleNanos)
                            .forEach(tunnel -> tunnel.close("idle for longer than balancer.tunnel-idle-timeout"));
                    open.stream().filter(tunnel -> tunnel.clientStalledFor(now) > writeNanos)
                            .forEach(tunnel -> tunnel.abort("its client took nothing for longer than balancer.write-timeout"));
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "The tunnels' thread met an error; it goes on", e);
            }
        }
    }

    /** One tunnel's turn: what fails in it closes it, never the loop that serves the others. */
    private static void serve(SelectionKey key) {
        Tunnel tunnel = (Tunnel) key.attachment();
        try {
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                tunnel.instanceWritable();
            }
            if ((ready & SelectionKey.OP_READ) != 0) {
                tunnel.instanceReadable();
            }
        } catch (CancelledKeyException e) {
            // Closed meanwhile on another thread.
        } catch (RuntimeException | LinkageError | AssertionError e) {
            LOG.log(Level.WARNING, "A tunnel failed on the tunnels' thread; it is closed", e);
            tunnel.close("the tunnels' thread met an error: " + e);
        }
    }

    /** Closes every tunnel: the balancer is stopping. */
    @Override
    public void close() {
        stopping = true;
        open.forEach(tunnel -> tunnel.close("the balancer is stopping"));
        closer.shutdown();
        try {
            selector.close();
        } catch (IOException e) {
            // Stopping anyway.
        }
    }
}
