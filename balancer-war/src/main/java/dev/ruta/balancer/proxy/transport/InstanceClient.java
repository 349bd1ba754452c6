package dev.ruta.balancer.proxy.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * HTTP/1.1 exchanges with instances over kept-alive connections, at most
 * {@code connectionsPerInstance} to one address at once; further exchanges wait for one to be
 * free. Blocking: the caller's thread carries the exchange, and {@link InstanceCall#abort()}
 * ends it from any other thread.
 */
public final class InstanceClient implements AutoCloseable {

    /** Interim answers (1xx) skipped before the final one; an instance that sends more is broken. */
    private static final int MAX_INTERIM = 16;
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
    private static final byte[] CRLF = {'\r', '\n'};

    private final Duration connectTimeout;
    private final int connectionsPerInstance;
    private final Duration idleClose;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param idleClose a connection idle that long is closed rather than reused: shorter than the
     *                  instances' own keep-alive, so a request never races the instance's close
     */
    public InstanceClient(Duration connectTimeout, int connectionsPerInstance, Duration idleClose) {
        this.connectTimeout = connectTimeout;
        this.connectionsPerInstance = connectionsPerInstance;
        this.idleClose = idleClose;
    }

    /**
     * Sends the request and waits, up to {@code readTimeout} between bytes, for the final answer's
     * status and headers; interim answers (1xx) are read past. The answer's body then reads with the
     * same timeout between bytes.
     *
     * @throws java.net.ConnectException when nothing listens at the address
     * @throws SocketTimeoutException when the connection, a free connection or a byte took too long
     * @throws NoAnswerException when the connection closed before any answer
     * @throws MalformedAnswerException when the instance's answer is not HTTP/1.1
     * @throws java.io.InterruptedIOException when the call was aborted
     */
    public InstanceAnswer send(InstanceRequest request, InstanceCall call, Duration readTimeout) throws IOException {
        Pool pool = pools.computeIfAbsent(request.host() + ":" + request.port(),
                address -> new Pool(new InetSocketAddress(request.host(), request.port())));
        Lease lease = pool.lease(call, readTimeout);
        try {
            InstanceAnswer answer = exchange(request, call, readTimeout, lease);
            if (answer == null && lease.connection.exchanges() > 1 && IDEMPOTENT.contains(request.method())) {
                // A kept connection the instance closed as the request went out: once more on a new one.
                lease.end(false);
                lease = pool.lease(call, readTimeout, true);
                answer = exchange(request, call, readTimeout, lease);
            }
            if (answer == null) {
                throw new NoAnswerException("The instance closed the connection without answering");
            }
            call.answered(answer);
            return answer;
        } catch (IOException | RuntimeException e) {
            lease.end(false);
            call.checkNotAborted();
            throw e;
        }
    }

    /**
     * Asks an instance to switch protocols, on a connection of its own, outside the pool: once
     * switched, it belongs to a tunnel and never carries HTTP again.
     *
     * @throws java.net.ConnectException when nothing listens at the address: nothing was sent
     */
    public InstanceUpgrade upgrade(InstanceRequest request, InstanceCall call, Duration readTimeout) throws IOException {
        InstanceConnection connection = new InstanceConnection();
        try {
            call.attach(connection);
            connection.connect(new InetSocketAddress(request.host(), request.port()), connectTimeout);
            writeRequest(request, connection.out());
            connection.readTimeout(readTimeout);
            AnswerHead head = AnswerHead.read(connection);
            for (int interim = 0; head != null && head.isInterim() && head.status() != 101; interim++) {
                if (interim == MAX_INTERIM) {
                    throw new MalformedAnswerException("More than " + MAX_INTERIM + " interim answers");
                }
                head = AnswerHead.read(connection);
            }
            if (head == null) {
                throw new NoAnswerException("The instance closed the connection without answering");
            }
            if (head.status() == 101) {
                call.detach(connection);
                return new InstanceUpgrade(101, head.reason(), head.headers(), null, connection.channel(),
                        connection.takeBuffered());
            }
            Framing framing = head.framing(request.method());
            long length = framing == Framing.LENGTH ? head.contentLength() : 0;
            byte[] body;
            try (AnswerBody stream = new AnswerBody(connection, framing, length, () -> { }, () -> { })) {
                body = stream.readNBytes(64 * 1024);
            }
            connection.close();
            return new InstanceUpgrade(head.status(), head.reason(), head.headers(), body, null, null);
        } catch (IOException | RuntimeException e) {
            connection.close();
            call.checkNotAborted();
            throw e;
        }
    }

    /** @return null when the connection closed before the answer's first byte */
    private InstanceAnswer exchange(InstanceRequest request, InstanceCall call, Duration readTimeout, Lease lease)
            throws IOException {
        InstanceConnection connection = lease.connection;
        boolean reused = connection.exchanges() > 0;
        connection.startExchange();
        AnswerHead head;
        try {
            writeRequest(request, connection.out());
            connection.readTimeout(readTimeout);
            head = AnswerHead.read(connection);
        } catch (SocketTimeoutException | MalformedAnswerException | CutAnswerException e) {
            // The instance answered, or is slow: not a kept connection it let go.
            throw e;
        } catch (IOException e) {
            if (reused && !call.isAborted()) {
                // The instance let the kept connection go as the request went out.
                return null;
            }
            throw e;
        }
        int interim = 0;
        while (true) {
            if (head == null) {
                return null;
            }
            if (!head.isInterim()) {
                break;
            }
            if (head.status() == 101) {
                throw new MalformedAnswerException("101 Switching Protocols to a request that asked for no upgrade");
            }
            if (++interim > MAX_INTERIM) {
                throw new MalformedAnswerException("More than " + MAX_INTERIM + " interim answers");
            }
            head = AnswerHead.read(connection);
            if (head == null) {
                throw new CutAnswerException("The connection closed after an interim answer");
            }
        }
        Framing framing = head.framing(request.method());
        long length = framing == Framing.LENGTH ? head.contentLength() : framing == Framing.NONE ? 0 : -1;
        boolean keep = head.keepsConnection(framing);
        Lease held = lease;
        AnswerBody body = new AnswerBody(connection, framing, length, () -> held.end(keep), () -> held.end(false));
        // A HEAD or 304 answer declares the length of a body it does not carry; a 204 has none.
        long declared = framing != Framing.NONE ? length : head.status() == 204 ? 0 : head.contentLength();
        return new InstanceAnswer(head.status(), head.reason(), head.headers(), framing, declared, body);
    }

    private static void writeRequest(InstanceRequest request, OutputStream out) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append(request.method()).append(' ').append(request.rawPathAndQuery()).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(request.host()).append(':').append(request.port()).append("\r\n");
        for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
            for (String value : header.getValue()) {
                head.append(header.getKey()).append(": ").append(value).append("\r\n");
            }
        }
        RequestContent content = request.content();
        if (content != null) {
            head.append("Content-Length: ").append(content.length()).append("\r\n");
        }
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(CRLF);
        if (content != null) {
            content.writeTo(out);
        }
        out.flush();
    }

    /** Closes the connections that have been idle longer than the idle limit. */
    public void closeIdle() {
        long now = System.nanoTime();
        // Pools are never removed: an exchange may hold one between its lookup and its lease.
        pools.values().forEach(pool -> pool.closeIdle(now - idleClose.toNanos(), false));
    }

    @Override
    public void close() {
        closed = true;
        pools.values().forEach(pool -> pool.closeIdle(0, true));
    }

    /** The connections to one address, and the permits that bound them. */
    private final class Pool {

        private final InetSocketAddress address;
        private final Semaphore permits = new Semaphore(connectionsPerInstance);
        private final ConcurrentLinkedDeque<InstanceConnection> idle = new ConcurrentLinkedDeque<>();

        Pool(InetSocketAddress address) {
            this.address = address;
        }

        Lease lease(InstanceCall call, Duration wait) throws IOException {
            return lease(call, wait, false);
        }

        Lease lease(InstanceCall call, Duration wait, boolean fresh) throws IOException {
            call.checkNotAborted();
            try {
                if (!permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new SocketTimeoutException("All links to " + address + " stayed busy for " + wait);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("Interrupted while waiting for a connection");
            }
            if (call.isAborted()) {
                permits.release();
                call.checkNotAborted();
            }
            Lease lease = new Lease(this);
            lease.call = call;
            try {
                InstanceConnection connection = fresh ? null : reusable();
                if (connection == null) {
                    connection = new InstanceConnection();
                    lease.connection = connection;
                    call.attach(connection);
                    connection.connect(address, connectTimeout);
                } else {
                    lease.connection = connection;
                    call.attach(connection);
                }
                return lease;
            } catch (IOException | RuntimeException e) {
                lease.end(false);
                throw e;
            }
        }

        private InstanceConnection reusable() {
            long oldest = System.nanoTime() - idleClose.toNanos();
            for (InstanceConnection connection; (connection = idle.pollFirst()) != null; ) {
                if (connection.idleSince() - oldest > 0 && !connection.isStale()) {
                    return connection;
                }
                connection.close();
            }
            return null;
        }

        void giveBack(InstanceConnection connection) {
            connection.idleSince(System.nanoTime());
            idle.offerFirst(connection);
            if (closed) {
                closeIdle(0, true);
            }
        }

        /** Closes the idle connections that became idle before {@code nanos}, or all of them. */
        void closeIdle(long nanos, boolean all) {
            for (InstanceConnection connection : idle) {
                if ((all || nanos - connection.idleSince() > 0) && idle.remove(connection)) {
                    connection.close();
                }
            }
        }


    }

    /** One exchange's hold on a connection and its permit, given up exactly once. */
    private static final class Lease {

        private final Pool pool;
        private final AtomicBoolean ended = new AtomicBoolean();
        private InstanceConnection connection;
        private InstanceCall call;

        Lease(Pool pool) {
            this.pool = pool;
        }

        void end(boolean keepConnection) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                if (connection != null) {
                    boolean detached = call == null || call.detach(connection);
                    if (keepConnection && detached) {
                        pool.giveBack(connection);
                    } else {
                        connection.close();
                    }
                }
            } finally {
                pool.permits.release();
            }
        }
    }
}
