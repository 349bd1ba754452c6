package dev.ruta.balancer.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A request body, read whole before it is forwarded: in memory when small, in a file otherwise.
 * Either way it can be sent again to another instance, and {@link #release()} frees it once the
 * exchange is over.
 */
public final class RequestBody {

    private static final Logger LOG = Logger.getLogger(RequestBody.class.getName());
    public static final RequestBody NONE = new RequestBody(null, null, 0);

    private final byte[] bytes;
    private final Path file;
    private final long length;

    private RequestBody(byte[] bytes, Path file, long length) {
        this.bytes = bytes;
        this.file = file;
        this.length = length;
    }

    static RequestBody inMemory(byte[] bytes) {
        return bytes.length == 0 ? NONE : new RequestBody(bytes, null, bytes.length);
    }

    static RequestBody inFile(Path file, long length) {
        return new RequestBody(null, file, length);
    }

    public boolean isPresent() {
        return bytes != null || file != null;
    }

    /** Whether it lies in a file: sending it then reads the disk, so it is not done on a container thread. */
    boolean isInFile() {
        return file != null;
    }

    public long length() {
        return length;
    }

    /** What the REST client writes: the bytes, or a fresh stream over the file for each attempt. */
    Object entity() {
        if (bytes != null) {
            return bytes;
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("The request body's file " + file + " cannot be read", e);
        }
    }

    /**
     * Deletes the file, if any; a stream still open on it reads on until closed. It runs when
     * the exchange ends, where nothing would see an exception: a file left behind is logged.
     */
    void release() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Could not delete the request body's file " + file, e);
            }
        }
    }
}
