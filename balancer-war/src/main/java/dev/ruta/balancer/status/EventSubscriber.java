package dev.ruta.balancer.status;

import dev.ruta.balancer.proxy.edge.ClientConnection;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client's event stream, written without blocking: an event goes out when the container
 * says the client can take more, and until then waits here, replaced by any newer one. So a
 * client that stops reading holds no thread, and no more than the container's own write queue
 * for a connection and one event.
 */
final class EventSubscriber implements WriteListener, AsyncListener {

    private static final Logger LOG = Logger.getLogger(EventSubscriber.class.getName());

    private final AsyncContext async;
    private final Consumer<EventSubscriber> onEnd;
    private final String client;
    private ServletOutputStream out;
    private byte[] waiting;
    private long waitingSince;
    private boolean unflushed;
    private long lastSequence;
    private boolean over;

    EventSubscriber(AsyncContext async, Consumer<EventSubscriber> onEnd) {
        this.async = async;
        this.onEnd = onEnd;
        this.client = async.getRequest().getRemoteAddr() + ":" + async.getRequest().getRemotePort();
    }

    /** Streams from now on, beginning with that view, or a newer one sent meanwhile. */
    synchronized void start(ServicesEvent first) throws IOException {
        async.setTimeout(0);
        async.addListener(this);
        out = async.getResponse().getOutputStream();
        ClientConnection.of(async.getRequest()).boundSendBuffer();
        offer(first);
        // From here the container calls onWritePossible whenever the client can take more.
        out.setWriteListener(this);
    }

    /** A newer view replaces one still waiting, which it makes out of date; an older one is ignored. */
    synchronized void send(ServicesEvent event) {
        if (!over) {
            offer(event);
            write();
        }
    }

    private void offer(ServicesEvent event) {
        if (event.sequence() > lastSequence) {
            lastSequence = event.sequence();
            offer(event.bytes());
        }
    }

    /** A comment when nothing waits; ends the stream of a client that took nothing for that long. */
    synchronized void heartbeat(byte[] comment, Duration stalledAfter) {
        if (over) {
            return;
        }
        if (waiting != null) {
            if (System.nanoTime() - waitingSince > stalledAfter.toNanos()) {
                LOG.log(Level.INFO, "Dropped the event subscriber at {0}: it took nothing for {1}",
                        new Object[] {client, stalledAfter});
                // Completing would queue the stream's end behind what it never took: the
                // connection would stay open, its buffers full, for as long as the client lives.
                ClientConnection.of(async.getRequest()).abort();
                close();
            }
            return;
        }
        offer(comment);
        write();
    }

    private void offer(byte[] event) {
        if (waiting == null) {
            waitingSince = System.nanoTime();
        }
        waiting = event;
    }

    @Override
    public synchronized void onWritePossible() {
        write();
    }

    private void write() {
        if (over || out == null) {
            return;
        }
        try {
            while (out.isReady()) {
                if (waiting != null) {
                    byte[] event = waiting;
                    waiting = null;
                    out.write(event);
                    unflushed = true;
                } else if (unflushed) {
                    unflushed = false;
                    out.flush();
                } else {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "An event subscriber went away", e);
            close();
        }
    }

    @Override
    public synchronized void onError(Throwable error) {
        LOG.log(Level.FINE, "An event subscriber went away", error);
        close();
    }

    synchronized void close() {
        if (over) {
            return;
        }
        over = true;
        waiting = null;
        onEnd.accept(this);
        try {
            async.complete();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Could not end an event stream", e);
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        close();
    }

    @Override
    public void onError(AsyncEvent event) {
        close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Started once, by the servlet; nothing to renew.
    }
}
