package dev.ruta.balancer.proxy.transport;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One connection to an instance, used by one exchange at a time, with the buffer its answers
 * are read through. A channel in blocking mode, read through its socket so that reads honour a
 * timeout, and closed from another thread to abort whatever blocks on it.
 */
final class InstanceConnection {

    /** Small: an exchange that waits on a slow instance holds it the whole time. */
    private static final int BUFFER = 16 * 1024;

    private final SocketChannel channel;
    private final Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    private long idleSinceNanos;
    private int exchanges;
    private volatile boolean closed;

    InstanceConnection() throws IOException {
        this.channel = SocketChannel.open();
        this.socket = channel.socket();
    }

    void connect(InetSocketAddress address, Duration timeout) throws IOException {
        socket.setTcpNoDelay(true);
        try {
            socket.connect(address, (int) Math.max(1, timeout.toMillis()));
        } catch (java.net.SocketTimeoutException e) {
            throw new ConnectTimeoutException("No connection to " + address + " within " + timeout);
        }
        in = socket.getInputStream();
        out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
    }

    OutputStream out() {
        return out;
    }

    /** How long a read may wait for the next byte; 0 waits for ever. */
    void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
    }

    /** How many exchanges it has carried, the current one included. */
    int exchanges() {
        return exchanges;
    }

    void startExchange() {
        exchanges++;
    }

    void idleSince(long nanos) {
        idleSinceNanos = nanos;
    }

    long idleSince() {
        return idleSinceNanos;
    }

    /**
     * Whether the instance closed it, or sent something unasked, while it was idle: a look
     * without waiting, so a connection the instance has let go is never given a request.
     */
    boolean isStale() {
        if (closed || position < limit) {
            return true;
        }
        try {
            channel.configureBlocking(false);
            int read = channel.read(ByteBuffer.wrap(buffer, 0, 1));
            channel.configureBlocking(true);
            return read != 0;
        } catch (IOException e) {
            return true;
        }
    }

    SocketChannel channel() {
        return channel;
    }

    /** What has been read but not yet taken, handed over with the connection. */
    ByteBuffer takeBuffered() {
        ByteBuffer rest = ByteBuffer.allocate(limit - position);
        rest.put(buffer, position, limit - position).flip();
        position = limit;
        return rest;
    }

    int buffered() {
        return limit - position;
    }

    /** Reads more into the buffer; -1 at the end of the stream. */
    private int fill() throws IOException {
        if (position == limit) {
            position = 0;
            limit = 0;
        } else if (limit == buffer.length) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        int read = in.read(buffer, limit, buffer.length - limit);
        if (read > 0) {
            limit += read;
        }
        return read;
    }

    /** Up to {@code length} bytes, waiting for at least one; -1 at the end of the stream. */
    int read(byte[] target, int offset, int length) throws IOException {
        if (position == limit && fill() < 0) {
            return -1;
        }
        int count = Math.min(length, limit - position);
        System.arraycopy(buffer, position, target, offset, count);
        position += count;
        return count;
    }

    /** One byte, or -1 at the end of the stream. */
    int read() throws IOException {
        if (position == limit && fill() < 0) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    /**
     * A line without its CRLF (a bare LF is accepted, RFC 9112 §2.2), as Latin-1; null when the
     * stream ends before its first byte.
     *
     * @throws CutAnswerException when the stream ends inside the line
     * @throws MalformedAnswerException when the line is longer than {@code max}
     */
    String readLine(int max) throws IOException {
        int scanned = position;
        while (true) {
            for (; scanned < limit; scanned++) {
                if (buffer[scanned] == '\n') {
                    int end = scanned > position && buffer[scanned - 1] == '\r' ? scanned - 1 : scanned;
                    String line = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
                    position = scanned + 1;
                    return line;
                }
            }
            if (limit - position > max || limit - position == buffer.length) {
                throw new MalformedAnswerException("A line of the answer is longer than " + max + " bytes");
            }
            int offset = scanned - position;
            boolean empty = position == limit;
            if (fill() < 0) {
                if (empty) {
                    return null;
                }
                throw new CutAnswerException("The connection closed inside a line of the answer");
            }
            scanned = position + offset;
        }
    }

    boolean isClosed() {
        return closed;
    }

    void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // Being discarded either way.
        }
    }
}
