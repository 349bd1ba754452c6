package dev.ruta.balancer.proxy;

import dev.ruta.balancer.proxy.error.BodyTimeoutException;
import dev.ruta.balancer.proxy.error.BodyTooLargeException;
import dev.ruta.balancer.proxy.error.ProxyException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body stream that stops at the balancer's limits instead of reading on: its size
 * (balancer.max-body) and the time its client may take to send it (balancer.body-timeout).
 */
final class BodyLimit extends FilterInputStream {

    /**
     * The client's fault, found while its body streams into the REST client's write: thrown
     * there, and answered by the forwarder with the error it carries, never held against the
     * instance.
     */
    static final class ClientFault extends IOException {

        private final transient ProxyException answer;

        ClientFault(ProxyException answer) {
            super(answer.getMessage());
            this.answer = answer;
        }

        ProxyException answer() {
            return answer;
        }
    }

    private final long maxBytes;
    private final long deadlineNanos;
    private long read;

    BodyLimit(InputStream in, long maxBytes, long deadlineNanos) {
        super(in);
        this.maxBytes = maxBytes;
        this.deadlineNanos = deadlineNanos;
    }

    static BodyTooLargeException tooLarge(long maxBytes) {
        return new BodyTooLargeException("The request body is over the " + maxBytes + "-byte limit (balancer.max-body).");
    }

    static BodyTimeoutException tooSlow() {
        return new BodyTimeoutException("The request body did not arrive in time (balancer.body-timeout).");
    }

    @Override
    public int read() throws IOException {
        int value = super.read();
        if (value >= 0) {
            count(1);
        }
        return value;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int count = super.read(buffer, offset, length);
        if (count > 0) {
            count(count);
        }
        return count;
    }

    private void count(int bytes) throws ClientFault {
        read += bytes;
        if (read > maxBytes) {
            throw new ClientFault(tooLarge(maxBytes));
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new ClientFault(tooSlow());
        }
    }
}
