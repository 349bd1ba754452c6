package dev.ruta.balancer.proxy.client;

import dev.ruta.balancer.proxy.transport.RequestContent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A request body, read whole before it is forwarded: in memory when small, in a file otherwise.
 * Either way it can be sent again to another instance, and {@link #release()} frees it once the
 * exchange is over.
 */
public final class RequestBody implements RequestContent {

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

    public static RequestBody inMemory(byte[] bytes) {
        return bytes.length == 0 ? NONE : new RequestBody(bytes, null, bytes.length);
    }

    public static RequestBody inFile(Path file, long length) {
        return new RequestBody(null, file, length);
    }

    public boolean isPresent() {
        return bytes != null || file != null;
    }

    /** Whether it lies in a file: sending it then reads the disk, so it is not done on a container thread. */
    boolean isInFile() {
        return file != null;
    }

    @Override
    public long length() {
        return length;
    }

    /** Written whole for each attempt: from memory, or read again from its file. */
    @Override
    public void writeTo(OutputStream out) throws IOException {
        if (bytes != null) {
            out.write(bytes);
        } else if (file != null) {
            Files.copy(file, out);
        }
    }

    /**
     * Deletes the file, if any; a stream still open on it reads on until closed. It runs when
     * the exchange ends, where nothing would see an exception: a file left behind is logged.
     */
    public void release() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Could not delete the request body's file " + file, e);
            }
        }
    }
}
