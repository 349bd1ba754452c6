package dev.ruta.balancer.proxy.tunnel;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client joined to one instance after a protocol switch. The container creates it on
 * {@code HttpServletRequest.upgrade}; {@link #join} then gives it the instance's side, and the
 * container's {@link #init} the client's. Upward (client to instance) the next bytes are read
 * from the client only once the instance took the last ones; downward the instance is read only
 * while the client can take more. Every step runs under this object's lock, on whichever thread
 * (the container's or the hub's) learnt that a side is ready.
 * <p>
 * The container is never asked to close the client's side under that lock: Grizzly calls this
 * tunnel's listeners while holding locks of its own (a suspended response's, on the client's
 * close), and closing the client's side takes those locks (issue 30). Nor on the hub's thread,
 * which hands that close to a thread of its own.
 */
public final class Tunnel implements HttpUpgradeHandler {

    private static final Logger LOG = Logger.getLogger(Tunnel.class.getName());
    private static final int CHUNK = 16 * 1024;

    private TunnelHub hub;
    private SocketChannel instance;
    private ByteBuffer downPending;
    private Consumer<Tunnel> ended;
    private Runnable abortClient;
    private String name;
    private SelectionKey key;
    private WebConnection client;
    private ServletInputStream in;
    private ServletOutputStream out;
    private final byte[] upBytes = new byte[CHUNK];
    private ByteBuffer upPending;
    private final ByteBuffer down = ByteBuffer.allocate(CHUNK);
    private int interest;
    private boolean unflushed;
    private long bytesUp;
    private long bytesDown;
    private volatile long lastActivity = System.nanoTime();
    /** When the client last stopped taking what the instance sent; 0 while it takes it. */
    private volatile long clientBlockedSince;
    private boolean closed;
    private String closedBecause;

    /**
     * @param leftover what the instance sent past its 101, for the client first
     * @param ended    told once, when the tunnel has closed
     * @param abortClient resets the client's connection, dropping what waits for it
     */
    public synchronized void join(TunnelHub hub, SocketChannel instance, ByteBuffer leftover, String name,
                                  Consumer<Tunnel> ended, Runnable abortClient) throws IOException {
        this.abortClient = abortClient;
        this.hub = hub;
        this.instance = instance;
        this.downPending = leftover.hasRemaining() ? leftover : null;
        this.name = name;
        // Watched from now on, so that a client side that never comes still ends it when idle.
        instance.configureBlocking(false);
        key = hub.register(instance, this);
        this.ended = ended;
    }

    @Override
    public void init(WebConnection connection) {
        String failed = null;
        synchronized (this) {
            client = connection;
            try {
                in = connection.getInputStream();
                out = connection.getOutputStream();
                // The 101 goes out now: a client may wait for it before it says anything.
                out.flush();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Tunnel " + name + " could not start", e);
                failed = "it could not start: " + e;
            }
        }
        if (failed != null) {
            close(failed);
            return;
        }
        try {
            out.setWriteListener(new WriteListener() {
                @Override
                public void onWritePossible() {
                    pumpDown();
                }

                @Override
                public void onError(Throwable error) {
                    close("the client's side failed: " + error);
                }
            });
            if (isClosed()) {
                // Closed as it started (the instance went at once): the container takes no more listeners.
                return;
            }
            in.setReadListener(new ReadListener() {
                @Override
                public void onDataAvailable() {
                    pumpUp();
                }

                @Override
                public void onAllDataRead() {
                    close("the client closed");
                }

                @Override
                public void onError(Throwable error) {
                    close("the client's side failed: " + error);
                }
            });
        } catch (IllegalStateException e) {
            // The connection stopped being an upgraded one between the two: closed meanwhile.
            close("it could not start: " + e);
        }
    }

    void instanceReadable() {
        pumpDown();
    }

    void instanceWritable() {
        pumpUp();
    }

    /** Client to instance, until the client has nothing ready or the instance takes no more. */
    private void pumpUp() {
        String ending;
        synchronized (this) {
            ending = pumpUpLocked();
        }
        if (ending != null) {
            close(ending);
        }
    }

    /** @return why the tunnel ends, or null while it goes on */
    private String pumpUpLocked() {
        if (closed || in == null) {
            return null;
        }
        try {
            while (true) {
                if (upPending != null) {
                    instance.write(upPending);
                    if (upPending.hasRemaining()) {
                        // The instance takes no more: the client is not read until it does.
                        want(SelectionKey.OP_WRITE, true);
                        return null;
                    }
                    upPending = null;
                    want(SelectionKey.OP_WRITE, false);
                }
                if (in.isFinished()) {
                    return "the client closed";
                }
                if (!in.isReady()) {
                    // The container calls onDataAvailable when more comes.
                    return null;
                }
                int read = in.read(upBytes);
                if (read < 0) {
                    return "the client closed";
                }
                bytesUp += read;
                lastActivity = System.nanoTime();
                upPending = ByteBuffer.wrap(upBytes, 0, read);
            }
        } catch (IOException | RuntimeException e) {
            return "a side broke off: " + e;
        }
    }

    /** Instance to client, while the client can take more. */
    private void pumpDown() {
        String ending;
        synchronized (this) {
            ending = pumpDownLocked();
        }
        if (ending != null) {
            close(ending);
        }
    }

    /** @return why the tunnel ends, or null while it goes on */
    private String pumpDownLocked() {
        if (closed || out == null) {
            return null;
        }
        try {
            while (out.isReady()) {
                if (unflushed) {
                    // Out at once: a tunnel's bytes are messages someone waits for.
                    unflushed = false;
                    out.flush();
                    continue;
                }
                ByteBuffer next = downPending;
                if (next == null) {
                    down.clear();
                    int read = instance.read(down);
                    if (read < 0) {
                        return "the instance closed";
                    }
                    if (read == 0) {
                        want(SelectionKey.OP_READ, true);
                        return null;
                    }
                    next = down.flip();
                }
                downPending = null;
                bytesDown += next.remaining();
                lastActivity = System.nanoTime();
                clientBlockedSince = 0;
                unflushed = true;
                out.write(next.array(), next.arrayOffset() + next.position(), next.remaining());
            }
            // The client takes no more: the instance is not read until onWritePossible.
            want(SelectionKey.OP_READ, false);
            if (clientBlockedSince == 0) {
                clientBlockedSince = Math.max(1, System.nanoTime());
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "a side broke off: " + e;
        }
    }

    private void want(int operation, boolean wanted) {
        int next = wanted ? interest | operation : interest & ~operation;
        if (next != interest && key != null && key.isValid()) {
            interest = next;
            key.interestOps(next);
            hub.interestChanged();
        }
    }

    /** Nanoseconds since a byte last went either way. */
    long idleSince(long now) {
        return now - lastActivity;
    }

    /** Nanoseconds the client has taken nothing that waits for it; 0 while it takes it. */
    long clientStalledFor(long now) {
        long since = clientBlockedSince;
        return since == 0 ? 0 : now - since;
    }

    /**
     * Closes both sides, the client's by a reset: what waits for a client that takes nothing
     * (the container's queue, the kernel's buffer) goes with it.
     */
    void abort(String reason) {
        close(reason, true);
    }

    /**
     * Closes both sides; later calls do nothing. Never called under this tunnel's lock: the
     * client's side is closed outside it (see the class comment).
     */
    public void close(String reason) {
        close(reason, false);
    }

    private void close(String reason, boolean abortive) {
        WebConnection clientSide;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closedBecause = reason;
            if (key != null) {
                key.cancel();
            }
            try {
                instance.close();
            } catch (IOException | RuntimeException e) {
                // Closing anyway.
            }
            clientSide = client;
        }
        if (clientSide != null) {
            Runnable closing = abortive && abortClient != null
                    ? () -> {
                        abortClient.run();
                        closeClientSide(clientSide);
                    }
                    : () -> closeClientSide(clientSide);
            if (hub != null) {
                hub.closeClientSide(closing);
            } else {
                closing.run();
            }
        }
        if (hub != null) {
            hub.closed(this);
        }
        LOG.log(Level.FINE, "Tunnel {0} closed: {1}", new Object[] {name, reason});
        if (ended != null) {
            ended.accept(this);
        }
    }

    private void closeClientSide(WebConnection clientSide) {
        try {
            clientSide.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "Closing the client's side of tunnel " + name, e);
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void destroy() {
        close("the container closed the client's connection");
    }

    public synchronized long bytesUp() {
        return bytesUp;
    }

    public synchronized long bytesDown() {
        return bytesDown;
    }

    public synchronized String closedBecause() {
        return closedBecause;
    }
}
