package dev.ruta.balancer.proxy.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one thread that watches every tunnel's instance side, and the tunnels open now. It also
 * closes tunnels idle longer than their limit, and all of them when it stops.
 */
public final class TunnelHub implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TunnelHub.class.getName());
    private static final long SWEEP_MILLIS = 1000;

    private final Selector selector;
    private final Object registering = new Object();
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    private final long idleNanos;
    private final Thread thread;
    private volatile boolean stopping;

    public TunnelHub(Duration idleTimeout, ThreadFactory threads) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        idleNanos = idleTimeout.toNanos();
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

    private void run() {
        long nextSweep = System.nanoTime();
        while (!stopping) {
            try {
                synchronized (registering) {
                    // Lets a registration under way finish before selecting again.
                }
                selector.select(SWEEP_MILLIS);
                for (SelectionKey key : selector.selectedKeys()) {
                    Tunnel tunnel = (Tunnel) key.attachment();
                    if (!key.isValid()) {
                        continue;
                    }
                    int ready = key.readyOps();
                    if ((ready & SelectionKey.OP_WRITE) != 0) {
                        tunnel.instanceWritable();
                    }
                    if ((ready & SelectionKey.OP_READ) != 0) {
                        tunnel.instanceReadable();
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() - nextSweep >= 0) {
                    nextSweep = System.nanoTime() + SWEEP_MILLIS * 1_000_000;
                    long now = System.nanoTime();
                    open.stream().filter(tunnel -> tunnel.idleSince(now) > idleNanos)
                            .forEach(tunnel -> tunnel.close("idle for longer than balancer.tunnel-idle-timeout"));
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "The tunnels' thread met an error; it goes on", e);
            }
        }
    }

    /** Closes every tunnel: the balancer is stopping. */
    @Override
    public void close() {
        stopping = true;
        open.forEach(tunnel -> tunnel.close("the balancer is stopping"));
        try {
            selector.close();
        } catch (IOException e) {
            // Stopping anyway.
        }
    }
}
