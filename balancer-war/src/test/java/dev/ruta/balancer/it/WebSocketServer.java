package dev.ruta.balancer.it;

import dev.ruta.testing.TestHttp;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket instance written by hand (RFC 6455), so a test controls every byte: on
 * {@code .../echo} it answers each text message with "{@code name}: message"; on
 * {@code .../flood} it sends text messages as fast as they are taken, counting the bytes. It
 * can drop every connection at once, as a killed process would (a reset, no close frame).
 */
final class WebSocketServer implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final String name;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong flooded = new AtomicLong();

    WebSocketServer(String name) {
        this.name = name;
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Tunnelled connections the server has open now. */
    int openConnections() {
        return open.size();
    }

    /** Bytes of flood messages written so far. */
    long flooded() {
        return flooded.get();
    }

    /** Closes every connection (a FIN, as the kernel sends for a killed process that had read everything). */
    void closeAll() {
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // Gone either way.
            }
        }
    }

    /** Resets every connection, as a killed process does; the server still accepts new ones. */
    void dropAll() {
        for (Socket socket : open) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException e) {
                // Gone either way.
            }
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
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
            String key = header(head, "Sec-WebSocket-Key");
            if (key == null || !head.toLowerCase(Locale.ROOT).contains("upgrade: websocket")) {
                out.write(ascii("HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                return;
            }
            out.write(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n"));
            out.flush();
            open.add(socket);
            if (head.startsWith("GET ") && head.substring(0, head.indexOf('\r')).contains("/flood")) {
                flood(out);
            } else {
                echo(new DataInputStream(in), out);
            }
        } catch (IOException e) {
            // The balancer closed the tunnel, or the test dropped it.
        } finally {
            open.remove(socket);
        }
    }

    private void echo(DataInputStream in, OutputStream out) throws IOException {
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            int opcode = first & 0x0f;
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = new byte[4];
            if ((second & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            switch (opcode) {
                case 0x1 -> frame(out, 0x1, (name + ": " + new String(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                case 0x8 -> {
                    frame(out, 0x8, payload);
                    return;
                }
                case 0x9 -> frame(out, 0xA, payload);
                default -> {
                    // Continuations and pongs: nothing to answer.
                }
            }
        }
    }

    private void flood(OutputStream out) throws IOException {
        byte[] message = new byte[8 * 1024];
        java.util.Arrays.fill(message, (byte) 'x');
        while (true) {
            frame(out, 0x1, message);
            flooded.addAndGet(message.length);
        }
    }

    private static void frame(OutputStream out, int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else {
            out.write(126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        }
        out.write(payload);
        out.flush();
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(ascii(key + GUID));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        dropAll();
        threads.shutdownNow();
    }
}
