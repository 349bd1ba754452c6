package dev.ruta.balancer.proxy;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a small request body without blocking: the container calls back as bytes arrive, so a
 * client that sends slowly holds no thread, only its buffer. Completes with the bytes, or
 * fails when the client breaks off; the caller sets the deadline.
 */
final class BodyReader implements ReadListener {

    private final ServletInputStream in;
    private final byte[] bytes;
    private final CompletableFuture<byte[]> done = new CompletableFuture<>();
    private int filled;

    private BodyReader(ServletInputStream in, int length) {
        this.in = in;
        this.bytes = new byte[length];
    }

    static CompletableFuture<byte[]> read(ServletInputStream in, int length) {
        BodyReader reader = new BodyReader(in, length);
        in.setReadListener(reader);
        return reader.done;
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!done.isDone() && in.isReady()) {
            int read = in.read(bytes, filled, bytes.length - filled);
            if (read < 0) {
                break;
            }
            filled += read;
            if (filled == bytes.length) {
                done.complete(bytes);
            }
        }
    }

    @Override
    public void onAllDataRead() {
        if (filled < bytes.length) {
            // Shorter than its Content-Length: the client broke off; forwarding it would pass a cut body as whole.
            done.completeExceptionally(new EOFException("The request body ended after " + filled + " of "
                    + bytes.length + " bytes."));
        }
    }

    @Override
    public void onError(Throwable error) {
        done.completeExceptionally(error);
    }
}
