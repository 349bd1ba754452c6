package dev.ruta.balancer.proxy.body;

import dev.ruta.balancer.error.BodyTimeoutException;
import dev.ruta.balancer.error.BodyTooLargeException;
import dev.ruta.balancer.proxy.client.RequestBody;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads a request body whole before it is forwarded, without blocking: the container calls
 * back as bytes arrive, so a client that sends slowly holds no thread, and no instance waits on
 * it either. The first 64 KiB stay in memory; the rest goes to a file, so a large body costs
 * disk, not heap. Completes with the body, or fails when the client breaks off or sends more
 * than the limit or past its deadline; a body given up is deleted.
 */
public final class BodyReader implements ReadListener {

    private static final Logger LOG = Logger.getLogger(BodyReader.class.getName());
    /** Bodies up to this size stay in memory. */
    static final int IN_MEMORY = 64 * 1024;

    private final ServletInputStream in;
    private final long declared;
    private final long maxBytes;
    private final Path spoolFolder;
    private final CompletableFuture<RequestBody> done = new CompletableFuture<>();
    private final byte[] chunk = new byte[16 * 1024];
    private byte[] memory;
    private int inMemory;
    private Path file;
    private FileChannel channel;
    private long total;

    private BodyReader(ServletInputStream in, long declared, long maxBytes, Path spoolFolder) {
        this.in = in;
        this.declared = declared;
        this.maxBytes = maxBytes;
        this.spoolFolder = spoolFolder;
        this.memory = new byte[(int) Math.min(IN_MEMORY, declared > 0 ? declared : 4096)];
    }

    /**
     * @param declared the Content-Length, or -1 when the client sends its body chunked
     * @param deadline the whole body must have arrived by then, or it fails with a TimeoutException
     */
    public static CompletableFuture<RequestBody> read(ServletInputStream in, long declared, long maxBytes, Path spoolFolder,
            Duration deadline) {
        BodyReader reader = new BodyReader(in, declared, maxBytes, spoolFolder);
        reader.done.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS);
        // What the caller gets completes only after a given-up body's file is gone: a client
        // that hears its 408 or 413 finds nothing of its body left behind.
        CompletableFuture<RequestBody> result = reader.done.whenComplete((body, error) -> {
            if (error != null) {
                reader.discard();
            }
        });
        in.setReadListener(reader);
        return result;
    }

    public static BodyTooLargeException tooLarge(long maxBytes) {
        return new BodyTooLargeException("The request body is over the " + maxBytes + "-byte limit (balancer.max-body).");
    }

    public static BodyTimeoutException tooSlow() {
        return new BodyTimeoutException("The request body did not arrive in time (balancer.body-timeout).");
    }

    @Override
    public synchronized void onDataAvailable() throws IOException {
        while (!done.isDone() && in.isReady()) {
            int read = in.read(chunk);
            if (read < 0) {
                return;
            }
            total += read;
            if (total > maxBytes || (declared >= 0 && total > declared)) {
                done.completeExceptionally(tooLarge(maxBytes));
                return;
            }
            keep(read);
        }
    }

    private void keep(int read) throws IOException {
        if (channel == null && inMemory + read <= IN_MEMORY) {
            if (inMemory + read > memory.length) {
                memory = Arrays.copyOf(memory, Math.min(IN_MEMORY, Math.max(memory.length * 2, inMemory + read)));
            }
            System.arraycopy(chunk, 0, memory, inMemory, read);
            inMemory += read;
            return;
        }
        if (channel == null) {
            file = Files.createTempFile(spoolFolder, "ruta-body-", ".part");
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            write(ByteBuffer.wrap(memory, 0, inMemory));
            memory = null;
        }
        write(ByteBuffer.wrap(chunk, 0, read));
    }

    private void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    @Override
    public synchronized void onAllDataRead() throws IOException {
        if (done.isDone()) {
            return;
        }
        if (declared >= 0 && total < declared) {
            // Shorter than its Content-Length: the client broke off; forwarding it would pass a cut body as whole.
            done.completeExceptionally(new EOFException("The request body ended after " + total + " of "
                    + declared + " bytes."));
            return;
        }
        if (channel == null) {
            done.complete(RequestBody.inMemory(Arrays.copyOf(memory, inMemory)));
            return;
        }
        channel.close();
        channel = null;
        done.complete(RequestBody.inFile(file, total));
    }

    @Override
    public void onError(Throwable error) {
        done.completeExceptionally(error);
    }

    /**
     * The body was given up (too slow, too large, cut short): its file goes at once. It runs as
     * the reading fails, where nothing would see an exception: a file left behind is logged.
     */
    private synchronized void discard() {
        try {
            if (channel != null) {
                channel.close();
                channel = null;
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not delete the request body's file " + file, e);
        }
    }
}
