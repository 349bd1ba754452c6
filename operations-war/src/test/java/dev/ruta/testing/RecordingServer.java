package dev.ruta.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP instance for fault-injection tests: answers every request with 200 and a JSON
 * body naming itself, and records each request it received (method, path, headers, body).
 */
public final class RecordingServer implements AutoCloseable {

    public record Received(String method, String pathAndQuery, com.sun.net.httpserver.Headers headers, String body) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final String name;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private volatile Duration late = Duration.ZERO;

    public RecordingServer(String name) {
        this.name = name;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        // One thread per request, so held answers hold only themselves, as on a real instance.
        server.setExecutor(threads);
        server.start();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()),
                exchange.getRequestHeaders(), body));
        try {
            hold.await(60, TimeUnit.SECONDS);
            if (!late.isZero()) {
                // The instance's own slowness, not a wait for a condition.
                Thread.sleep(late);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] answer = ("{\"served-by\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("X-Upstream-Header", "kept");
        exchange.getResponseHeaders().add("Server", "recording-server");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    /** From now on, answers wait until {@link #release()}: an instance that is slow to answer. */
    public void holdAnswers() {
        hold = new CountDownLatch(1);
    }

    /** Every answer from now on comes that much late: an instance that answers, only slowly. */
    public void answerLate(Duration by) {
        late = by;
    }

    public void release() {
        hold.countDown();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
