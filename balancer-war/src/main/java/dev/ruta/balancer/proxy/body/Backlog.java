package dev.ruta.balancer.proxy.body;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The bytes of one answer that came from the instance faster than its client takes them. The
 * connector cannot be told to stop reading, so they must wait somewhere: the first 64 KiB in
 * memory, the rest in a file, read back in the order they came. Beyond its limit, adding fails:
 * a client that never reads cannot fill the disk either. Not thread-safe: its owner locks.
 */
final class Backlog implements AutoCloseable {

    /** An answer's backlog reached balancer.max-answer-backlog. */
    static final class FullException extends IOException {
        FullException(long limit) {
            super("More than " + limit + " bytes of the answer wait for the client (balancer.max-answer-backlog)");
        }
    }

    private static final int IN_MEMORY = 64 * 1024;

    private final Path folder;
    private final long maxBytes;
    /** Always older than every byte in the file: new bytes go to memory only while the file is drained. */
    private final ArrayDeque<byte[]> memory = new ArrayDeque<>();
    private int inMemory;
    private Path file;
    private FileChannel channel;
    private long written;
    private long read;

    Backlog(Path folder, long maxBytes) {
        this.folder = folder;
        this.maxBytes = maxBytes;
    }

    long size() {
        return inMemory + written - read;
    }

    void add(byte[] bytes, int offset, int length) throws IOException {
        if (size() + length > maxBytes) {
            throw new FullException(maxBytes);
        }
        if (written == read && inMemory + length <= IN_MEMORY) {
            memory.add(Arrays.copyOfRange(bytes, offset, offset + length));
            inMemory += length;
            return;
        }
        if (channel == null) {
            file = Files.createTempFile(folder, "ruta-answer-", ".part");
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        while (buffer.hasRemaining()) {
            written += channel.write(buffer, written);
        }
    }

    /** Moves the oldest bytes into {@code target}; returns how many, 0 when there are none. */
    int take(byte[] target) throws IOException {
        byte[] oldest = memory.peek();
        if (oldest != null && oldest.length <= target.length) {
            memory.poll();
            inMemory -= oldest.length;
            System.arraycopy(oldest, 0, target, 0, oldest.length);
            return oldest.length;
        }
        if (oldest != null) {
            // Larger than the target: taken in parts, the rest put back at the head.
            memory.poll();
            System.arraycopy(oldest, 0, target, 0, target.length);
            memory.push(Arrays.copyOfRange(oldest, target.length, oldest.length));
            inMemory -= target.length;
            return target.length;
        }
        if (read == written) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.wrap(target, 0, (int) Math.min(target.length, written - read));
        while (buffer.hasRemaining()) {
            int count = channel.read(buffer, read + buffer.position());
            if (count < 0) {
                throw new IOException("The answer's backlog file " + file + " ended early");
            }
        }
        read += buffer.position();
        if (read == written) {
            // Drained: the file is written from its start again.
            read = 0;
            written = 0;
        }
        return buffer.position();
    }

    @Override
    public void close() throws IOException {
        memory.clear();
        inMemory = 0;
        if (channel != null) {
            channel.close();
            channel = null;
            Files.deleteIfExists(file);
        }
    }
}
