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
