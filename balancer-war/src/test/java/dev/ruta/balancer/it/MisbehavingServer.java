package dev.ruta.balancer.it;

import dev.ruta.testing.TestHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An instance that breaks HTTP on purpose, on a raw socket, one fault per service: the first
 * path segment after {@code /api/}, the service's name, picks it, and a name made of a fault's
 * and a dash and more ({@code hung-many}) has that fault too. Every connection it accepts is counted
 * while open, under its service's name, so a test can see whether the balancer let go of it.
 * <ul>
 * <li>{@code cut-length}: declares 200,000 bytes, sends 100,000, closes</li>
 * <li>{@code cut-chunked}: chunked, 100,000 bytes, closes without the last chunk</li>
 * <li>{@code hung}: reads the request and never answers</li>
 * <li>{@code flood}: a chunked answer without end, as fast as it is taken</li>
 * <li>{@code drip}: a chunked answer without end: 1 MiB at once, then 1 KiB every 200 ms</li>
 * <li>{@code garbage}: a line that is not HTTP, then nothing</li>
 * <li>{@code until-close}: Server-Sent Events framed by closing the connection: one event, a pause
 * until the test says go on, a second event, close</li>
 * <li>{@code interim}: 100 Continue and 103 Early Hints, then a 200 with a body</li>
 * <li>{@code odd-status}: status 999</li>
 * <li>{@code large}: a well-formed answer of 24 MiB, for a client that does not read it</li>
 * <li>{@code unavailable}: a 503 of its own, with a body and Retry-After, then close</li>
 * </ul>
 */
final class MisbehavingServer implements AutoCloseable {

    static final Set<String> FAULTS = Set.of("cut-length", "cut-chunked", "hung", "flood", "drip", "garbage",
            "until-close", "interim", "odd-status", "large", "unavailable");
    static final String UNAVAILABLE_BODY = "{\"busy\":\"try again in 7 s\"}";
    /** More than Payara's write queue and the sockets hold: most of it waits in the balancer's backlog. */
    static final int LARGE = 24 * 1024 * 1024;
    static final String INTERIM_BODY = "{\"after\":\"interim answers\"}";

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<Socket, String> open = new ConcurrentHashMap<>();
    private final AtomicInteger floodsBrokenOff = new AtomicInteger();
    private final CountDownLatch secondEvent = new CountDownLatch(1);

    MisbehavingServer() {
        try {
            server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections from the balancer it has not seen closed, that carried one service's requests. */
    long openConnectionsTo(String service) {
        return open.values().stream().filter(service::equals).count();
    }

    /** Flood answers whose reader closed the connection. */
    int floodsBrokenOff() {
        return floodsBrokenOff.get();
    }

    /** Lets the until-close stream send its second event and close. */
    void sendSecondEvent() {
        secondEvent.countDown();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                open.put(socket, "");
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String head = TestHttp.readHead(in);
            String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
            String service = target.split("/")[2];
            open.put(socket, service);
            String fault = FAULTS.contains(service) ? service
                    : FAULTS.stream().filter(name -> service.startsWith(name + "-")).findFirst().orElse(service);
            switch (fault) {
                case "cut-length" -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 200000\r\n\r\n"));
                    out.write(new byte[100_000]);
                }
                case "cut-chunked" -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
                    for (int i = 0; i < 10; i++) {
                        out.write(ascii(Integer.toHexString(10_000) + "\r\n"));
                        out.write(new byte[10_000]);
                        out.write(ascii("\r\n"));
                    }
                }
                case "hung" -> awaitClose(in);
                case "flood" -> flood(out);
                case "drip" -> drip(out);
                case "garbage" -> {
                    out.write(ascii("SSH-2.0-OpenSSH_9.2 not what you asked for\r\n\r\n"));
                    awaitClose(in);
                }
                case "until-close" -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"));
                    out.write(ascii("event: tick\ndata: 1\n\n"));
                    out.flush();
                    secondEvent.await(2, TimeUnit.MINUTES);
                    out.write(ascii("event: tick\ndata: 2\n\n"));
                }
                case "interim" -> {
                    out.write(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
                    out.write(ascii("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"));
                    out.flush();
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                            + "Content-Length: " + INTERIM_BODY.length() + "\r\n\r\n" + INTERIM_BODY));
                }
                case "unavailable" -> out.write(ascii("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                        + "Retry-After: 7\r\nConnection: close\r\nContent-Length: " + UNAVAILABLE_BODY.length() + "\r\n\r\n"
                        + UNAVAILABLE_BODY));
                case "odd-status" -> {
                    out.write(ascii("HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\n{}"));
                    awaitClose(in);
                }
                case "large" -> {
                    out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n"
                            + "Content-Length: " + LARGE + "\r\n\r\n"));
                    out.write(new byte[LARGE]);
                }
                default -> out.write(ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
            }
            out.flush();
        } catch (IOException e) {
            // The balancer closed the connection: what most faults are about.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    private void flood(OutputStream out) {
        byte[] chunk = new byte[64 * 1024];
        try {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
            while (true) {
                out.write(ascii(Integer.toHexString(chunk.length) + "\r\n"));
                out.write(chunk);
                out.write(ascii("\r\n"));
            }
        } catch (IOException e) {
            floodsBrokenOff.incrementAndGet();
        }
    }

    private static void drip(OutputStream out) throws IOException, InterruptedException {
        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
        out.write(ascii(Integer.toHexString(1024 * 1024) + "\r\n"));
        out.write(new byte[1024 * 1024]);
        out.write(ascii("\r\n"));
        byte[] chunk = new byte[1024];
        while (true) {
            out.write(ascii(Integer.toHexString(chunk.length) + "\r\n"));
            out.write(chunk);
            out.write(ascii("\r\n"));
            out.flush();
            Thread.sleep(200);
        }
    }

    /** Waits for the balancer to close the connection, reading whatever else it sends. */
    private static void awaitClose(InputStream in) throws IOException {
        byte[] ignored = new byte[4096];
        while (in.read(ignored) >= 0) {
            // Nothing to answer.
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        sendSecondEvent();
        try {
            server.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        open.keySet().forEach(socket -> {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing anyway.
            }
        });
        threads.shutdownNow();
    }
}
