package dev.ruta.balancer.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An instance whose answers are streams, each paused half-way until the test says go on: so a
 * test can see whether what was sent so far has crossed the balancer, without timing anything.
 * {@code /events} sends a Server-Sent Event, pauses, sends a second; {@code /download} sends the
 * first part of a large body, pauses, sends the rest; {@code /upload} counts the bytes of a
 * request body as they arrive; {@code /api/streams/session} sets a cookie and reports the one it got;
 * {@code /large?mb=N} sends N megabytes at a steady 20 MB/s, counting what it sent and whether
 * its reader broke off.
 */
final class StreamingServer implements AutoCloseable {

    static final int DOWNLOAD_PART = 1024 * 1024;
    static final int DOWNLOAD_SIZE = 5 * DOWNLOAD_PART;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch eventsGoOn = new CountDownLatch(1);
    private final CountDownLatch downloadGoOn = new CountDownLatch(1);
    private final AtomicLong uploaded = new AtomicLong();
    private final AtomicLong largeSent = new AtomicLong();
    private final AtomicLong largeBrokenOff = new AtomicLong();

    StreamingServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/api/streams/events", this::events);
        server.createContext("/api/streams/download", this::download);
        server.createContext("/api/streams/upload", this::upload);
        server.createContext("/api/streams/session", this::session);
        server.createContext("/api/streams/large", this::large);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Lets the paused event stream send its second event and end. */
    void eventsGoOn() {
        eventsGoOn.countDown();
    }

    /** Lets the paused download send the rest of its body. */
    void downloadGoOn() {
        downloadGoOn.countDown();
    }

    /** Bytes of upload bodies received so far. */
    long uploaded() {
        return uploaded.get();
    }

    /** Bytes of /large answers sent so far. */
    long largeSent() {
        return largeSent.get();
    }

    /** /large answers whose reader went away before the end. */
    long largeBrokenOff() {
        return largeBrokenOff.get();
    }

    private void large(HttpExchange exchange) throws IOException {
        int megabytes = Integer.parseInt(exchange.getRequestURI().getQuery().replace("mb=", ""));
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        // Chunked: a stream of unknown length, the harder case.
        exchange.sendResponseHeaders(200, 0);
        byte[] megabyte = new byte[1024 * 1024];
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < megabytes; i++) {
                out.write(megabyte);
                largeSent.addAndGet(megabyte.length);
                // About 20 MB/s: loopback is faster than any network, and a balancer whose JIT has
                // not warmed up yet moves the connector's small buffers to disk slower than that.
                Thread.sleep(50);
            }
        } catch (IOException e) {
            largeBrokenOff.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void events(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("event: tick\ndata: 1\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            pause(eventsGoOn);
            out.write("event: tick\ndata: 2\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void download(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, DOWNLOAD_SIZE);
        byte[] part = new byte[DOWNLOAD_PART];
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(part);
            out.flush();
            pause(downloadGoOn);
            for (int i = 1; i < DOWNLOAD_SIZE / DOWNLOAD_PART; i++) {
                out.write(part);
            }
        }
    }

    /** Hands out a session cookie and says which cookie, if any, the request carried. */
    private void session(HttpExchange exchange) throws IOException {
        String cookie = exchange.getRequestHeaders().getFirst("Cookie");
        byte[] answer = ("{\"cookie\":\"" + (cookie == null ? "" : cookie) + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Set-Cookie", "session=alice; Path=/");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    private void upload(HttpExchange exchange) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = exchange.getRequestBody()) {
            for (int read; (read = in.read(buffer)) != -1; ) {
                total += read;
                uploaded.addAndGet(read);
            }
        }
        byte[] answer = ("{\"received\":" + total + "}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    private static void pause(CountDownLatch goOn) {
        try {
            goOn.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        eventsGoOn();
        downloadGoOn();
        server.stop(0);
        threads.shutdownNow();
    }
}
