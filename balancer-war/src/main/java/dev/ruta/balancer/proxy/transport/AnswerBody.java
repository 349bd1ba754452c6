package dev.ruta.balancer.proxy.transport;

import java.io.IOException;
import java.io.InputStream;

/**
 * An answer's body as its framing delimits it: -1 only at the clean end (the declared length,
 * the last chunk, or the close of an answer framed by closing); a connection that ends before
 * that throws {@link CutAnswerException}. At the clean end the connection goes back to its
 * pool; closed before it, the connection is closed, whatever the instance still sends.
 */
final class AnswerBody extends InputStream {

    private static final int MAX_TRAILER_FIELDS = 100;

    private final InstanceConnection connection;
    private final Framing framing;
    private final Runnable atCleanEnd;
    private final Runnable atAbort;
    /** Bytes left in the body (LENGTH) or in the current chunk (CHUNKED). */
    private long remaining;
    private boolean ended;
    private boolean closed;

    AnswerBody(InstanceConnection connection, Framing framing, long length, Runnable atCleanEnd, Runnable atAbort) {
        this.connection = connection;
        this.framing = framing;
        this.remaining = framing == Framing.LENGTH ? length : 0;
        this.atCleanEnd = atCleanEnd;
        this.atAbort = atAbort;
        if (framing == Framing.NONE || (framing == Framing.LENGTH && length == 0)) {
            end();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int read = read(one, 0, 1);
        return read < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("The answer's body is closed");
        }
        if (ended) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        switch (framing) {
            case UNTIL_CLOSE -> {
                int read = connection.read(target, offset, length);
                if (read < 0) {
                    end();
                }
                return read;
            }
            case CHUNKED -> {
                if (remaining == 0 && !nextChunk()) {
                    return -1;
                }
                return fromLengthOrChunk(target, offset, length);
            }
            default -> {
                return fromLengthOrChunk(target, offset, length);
            }
        }
    }

    private int fromLengthOrChunk(byte[] target, int offset, int length) throws IOException {
        int read = connection.read(target, offset, (int) Math.min(length, remaining));
        if (read < 0) {
            throw new CutAnswerException("The instance closed the connection " + remaining + " bytes before the "
                    + (framing == Framing.CHUNKED ? "chunk's" : "declared") + " end of its answer");
        }
        remaining -= read;
        if (remaining == 0) {
            if (framing == Framing.LENGTH) {
                end();
            } else {
                expectLineEnd();
            }
        }
        return read;
    }

    /** Reads the next chunk's size line; false (and ended) at the last chunk and its trailer. */
    private boolean nextChunk() throws IOException {
        String line = connection.readLine(AnswerHead.MAX_LINE);
        if (line == null) {
            throw new CutAnswerException("The instance closed the connection before the answer's last chunk");
        }
        int extension = line.indexOf(';');
        String size = (extension < 0 ? line : line.substring(0, extension)).strip();
        if (size.isEmpty() || size.length() > 15 || !size.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new MalformedAnswerException("Not a chunk size: '" + size + "'");
        }
        remaining = Long.parseLong(size, 16);
        if (remaining > 0) {
            return true;
        }
        // Trailer fields are not relayed (nothing declared them to the client); read past them.
        for (int fields = 0; ; fields++) {
            String trailer = connection.readLine(AnswerHead.MAX_LINE);
            if (trailer == null) {
                throw new CutAnswerException("The instance closed the connection inside the answer's trailer");
            }
            if (trailer.isEmpty()) {
                break;
            }
            if (fields > MAX_TRAILER_FIELDS) {
                throw new MalformedAnswerException("The answer's trailer has too many fields");
            }
        }
        end();
        return false;
    }

    private void expectLineEnd() throws IOException {
        String line = connection.readLine(2);
        if (line == null) {
            throw new CutAnswerException("The instance closed the connection after a chunk's data");
        }
        if (!line.isEmpty()) {
            throw new MalformedAnswerException("A chunk's data is longer than its size");
        }
    }

    /** What can be read without waiting, within the body. */
    @Override
    public int available() {
        if (ended || closed) {
            return 0;
        }
        int buffered = connection.buffered();
        return framing == Framing.UNTIL_CLOSE ? buffered : (int) Math.min(buffered, remaining);
    }

    private void end() {
        if (!ended) {
            ended = true;
            atCleanEnd.run();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!ended) {
            atAbort.run();
        }
    }
}
