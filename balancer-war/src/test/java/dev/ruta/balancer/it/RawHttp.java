package dev.ruta.balancer.it;

import dev.ruta.testing.HttpReply;
import dev.ruta.testing.TestHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP written by hand, for what well-behaved clients never send: a body far larger than
 * declared limits, a body that never finishes. The request goes out from a thread of its own
 * while the answer is read, as a server may answer before it has read everything.
 */
final class RawHttp {

    /** Writes the rest of a request body, as much as the server takes. */
    interface BodyWriter {
        void write(OutputStream out) throws IOException;
    }

    private RawHttp() {
    }

    static Socket open(int port) {
        try {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(120_000);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the head and starts the body; the answer is read with {@link #answer(Socket)}. */
    static void start(Socket socket, String head, BodyWriter body) {
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                body.write(out);
                out.flush();
            } catch (IOException e) {
                // The server stopped reading and closed: what the test is about.
            }
        }, "raw-http-writer");
        writer.setDaemon(true);
        writer.start();
    }

    static HttpReply exchange(int port, String head, BodyWriter body) {
        try (Socket socket = open(port)) {
            start(socket, head, body);
            return answer(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one answer with a Content-Length body (every error of Ruta's has one). */
    static HttpReply answer(Socket socket) {
        try {
            var in = socket.getInputStream();
            String[] lines = TestHttp.readHead(in).split("\r\n");
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).strip(), name -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).strip());
            }
            int length = Integer.parseInt(headers.getOrDefault("Content-Length", List.of("0")).get(0));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new HttpReply(Integer.parseInt(lines[0].split(" ")[1]), HttpHeaders.of(headers, (name, value) -> true), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the connection ends (closed, or reset) once what arrived before the end is read; false if it hangs. */
    static boolean readsToTheEnd(InputStream in) {
        byte[] ignored = new byte[64 * 1024];
        try {
            while (in.read(ignored) >= 0) {
                // What was sent before the end.
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // Reset: an abortive close, also an end.
            return true;
        }
    }
}
