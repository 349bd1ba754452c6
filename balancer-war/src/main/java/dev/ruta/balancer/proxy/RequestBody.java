package dev.ruta.balancer.proxy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body on its way to an instance. Small bodies are read whole, so a retry can send
 * them again; larger ones stream through, and may only be retried while no byte of them has
 * been read. Either way no more than the balancer's limit is ever read.
 */
public final class RequestBody {

    public static final RequestBody NONE = new RequestBody(null, null, 0);

    private final byte[] bytes;
    private final InputStream stream;
    private final long length;
    private volatile boolean touched;

    private RequestBody(byte[] bytes, InputStream stream, long length) {
        this.bytes = bytes;
        this.stream = stream;
        this.length = length;
    }

    public static RequestBody buffered(byte[] bytes) {
        return bytes.length == 0 ? NONE : new RequestBody(bytes, null, bytes.length);
    }

    /** @param length the declared length, or -1 when the client streams it chunked */
    public static RequestBody streamed(InputStream limited, long length) {
        return new RequestBody(null, limited, length);
    }

    public boolean isPresent() {
        return bytes != null || stream != null;
    }

    /** Whether it streams through rather than having been read whole. */
    public boolean isStreamed() {
        return stream != null;
    }

    /** The declared or known length, or -1 when unknown. */
    public long length() {
        return length;
    }

    /** What the REST client writes: the bytes, or the stream, noting when it is first read. */
    Object entity() {
        if (bytes != null) {
            return bytes;
        }
        return new FilterInputStream(stream) {
            @Override
            public int read() throws IOException {
                touched = true;
                return super.read();
            }

            @Override
            public int read(byte[] buffer, int offset, int count) throws IOException {
                touched = true;
                return super.read(buffer, offset, count);
            }
        };
    }

    /** Whether another instance could be sent this body whole. */
    public boolean canBeSentAgain() {
        return stream == null || !touched;
    }
}
