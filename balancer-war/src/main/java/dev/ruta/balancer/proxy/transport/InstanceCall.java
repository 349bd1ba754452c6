package dev.ruta.balancer.proxy.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One exchange with an instance, as a handle its owner keeps: {@link #abort()} closes its
 * connection from any thread, at any stage (waiting for a connection, connecting, sending,
 * waiting for the answer, reading its body), and is safe to call twice or after the end. A
 * thread blocked on the connection wakes with an exception at once.
 */
public final class InstanceCall {

    private static final InstanceConnection ENDED = null;

    private final AtomicReference<InstanceConnection> connection = new AtomicReference<>();
    private volatile boolean aborted;
    private volatile InstanceAnswer answer;

    /** Closes the exchange's connection, if it still holds one; later stages fail at once. */
    public void abort() {
        aborted = true;
        InstanceConnection held = connection.getAndSet(ENDED);
        if (held != null) {
            held.close();
        }
    }

    public boolean isAborted() {
        return aborted;
    }

    /**
     * The final answer as the transport read it; null before it. Its body is read from here
     * rather than through the REST client's entity reader: that looks up a reader by media type
     * per call (~3% of the balancer's CPU, JFR) to hand back this same stream.
     */
    public InstanceAnswer answer() {
        return answer;
    }

    void answered(InstanceAnswer answer) {
        this.answer = answer;
    }

    /** The connection now carries this exchange; one aborted meanwhile is closed at once. */
    void attach(InstanceConnection held) throws IOException {
        connection.set(held);
        if (aborted && connection.compareAndSet(held, ENDED)) {
            held.close();
        }
        checkNotAborted();
    }

    /** The exchange is over with this connection: an abort from now on must not close it. */
    boolean detach(InstanceConnection held) {
        return connection.compareAndSet(held, ENDED) && !held.isClosed();
    }

    void checkNotAborted() throws IOException {
        if (aborted) {
            throw new InterruptedIOException("The exchange was aborted");
        }
    }
}
