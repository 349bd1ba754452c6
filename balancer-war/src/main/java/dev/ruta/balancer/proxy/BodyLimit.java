package dev.ruta.balancer.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A request body stream that stops at the balancer's limit instead of reading on. */
final class BodyLimit extends FilterInputStream {

    /** Thrown into the REST client's write of the body; the forwarder answers 413 for it. */
    static final class BodyTooLarge extends IOException {
        BodyTooLarge(long limit) {
            super("The request body is over the " + limit + "-byte limit (balancer.max-body).");
        }
    }

    private final long limit;
    private long read;

    BodyLimit(InputStream in, long limit) {
        super(in);
        this.limit = limit;
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

    private void count(int bytes) throws BodyTooLarge {
        read += bytes;
        if (read > limit) {
            throw new BodyTooLarge(limit);
        }
    }
}
