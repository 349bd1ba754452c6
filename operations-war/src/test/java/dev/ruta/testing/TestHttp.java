package dev.ruta.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP for tests, with timeouts so a hung server fails the test instead of hanging it. */
public final class TestHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private TestHttp() {
    }

    public static HttpReply get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    public static HttpReply post(URI uri, String json) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public static HttpReply put(URI uri, String json) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public static HttpReply method(URI uri, String method) {
        return send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    public static HttpReply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new HttpReply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A GET with the request target written as is, for targets java.net.URI refuses (such as
     * a malformed percent-encoding) but a client on the network can still send.
     */
    public static HttpReply rawGet(int port, String target) {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int headEnd = response.indexOf("\r\n\r\n");
            String[] head = response.substring(0, headEnd).split("\r\n");
            java.util.Map<String, java.util.List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                headers.computeIfAbsent(head[i].substring(0, colon).strip(), name -> new java.util.ArrayList<>())
                        .add(head[i].substring(colon + 1).strip());
            }
            return new HttpReply(Integer.parseInt(head[0].split(" ")[1]),
                    java.net.http.HttpHeaders.of(headers, (name, value) -> true), response.substring(headEnd + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends GETs of the path one after another on one kept-alive connection, each once the
     * previous answer (a Content-Length body) is read, and counts the 200 answers before the
     * server closes it or says it will (Connection: close), or the count is reached.
     */
    public static int answersOnOneConnection(int port, String pathAndQuery, int requests) {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            var in = new java.io.BufferedInputStream(socket.getInputStream());
            byte[] request = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int answered = 0; answered < requests; answered++) {
                socket.getOutputStream().write(request);
                String head;
                try {
                    head = readHead(in);
                } catch (java.io.EOFException closed) {
                    return answered;
                }
                if (!head.startsWith("HTTP/1.1 200")) {
                    return answered;
                }
                long length = 0;
                boolean closing = false;
                for (String line : head.split("\r\n")) {
                    String lower = line.toLowerCase(java.util.Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(lower.substring("content-length:".length()).strip());
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        closing = true;
                    }
                }
                in.skipNBytes(length);
                if (closing) {
                    return answered + 1;
                }
            }
            return requests;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A request's or an answer's head, read by hand up to and with its blank line.
     *
     * @throws java.io.EOFException when the connection ends before the whole head
     */
    public static String readHead(java.io.InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                throw new java.io.EOFException("closed before a whole head: " + head);
            }
            head.append((char) next);
        }
        return head.toString();
    }

    /** True when something answers HTTP at the URI, whatever the status. */
    public static boolean answers(URI uri) {
        try {
            get(uri);
            return true;
        } catch (UncheckedIOException e) {
            return false;
        }
    }
}
