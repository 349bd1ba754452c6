package dev.ruta.balancer.discovery;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Consul's HTTP API as the balancer uses it: GETs that answer JSON, blocking or not. One
 * {@link HttpClient} for every call, so the agent sees one client's few kept-alive connections.
 */
final class ConsulHttp {

    private final URI consul;
    private final Optional<String> token;
    private final Duration wait;
    private final HttpClient http;

    ConsulHttp(URI consul, Optional<String> token, Duration wait, Executor executor) {
        this.consul = consul;
        this.token = token.filter(value -> !value.isBlank());
        this.wait = wait;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1).executor(executor).build();
    }

    URI address() {
        return consul;
    }

    /** A blocking query: Consul answers when the index moves past {@code index}, or after the wait. */
    ConsulAnswer watch(String path, long index) throws IOException, InterruptedException {
        String separator = path.contains("?") ? "&" : "?";
        // Consul adds up to wait/16 of jitter to a blocking query.
        return get(path + separator + "index=" + index + "&wait=" + wait.toSeconds() + "s",
                wait.plus(wait.dividedBy(16)).plusSeconds(5));
    }

    /** A plain read of the current state. */
    ConsulAnswer read(String path) throws IOException, InterruptedException {
        return get(path, Duration.ofSeconds(10));
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private ConsulAnswer get(String path, Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(consul.resolve(path)).timeout(timeout);
        token.ifPresent(value -> request.header("X-Consul-Token", value));
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                String text = new String(body.readNBytes(500), StandardCharsets.UTF_8).strip();
                throw new IOException("Consul answered " + response.statusCode() + " to " + path.replaceAll("\\?.*", "")
                        + (text.isEmpty() ? "" : ": " + text));
            }
            long index = response.headers().firstValueAsLong("X-Consul-Index").orElse(0);
            try (JsonReader reader = Json.createReader(body)) {
                return new ConsulAnswer(index, reader.readValue());
            } catch (jakarta.json.JsonException e) {
                throw new IOException("Consul's answer to " + path.replaceAll("\\?.*", "") + " is not JSON: " + e.getMessage(), e);
            }
        }
    }

    /** One answer: Consul's index for it and its JSON. */
    record ConsulAnswer(long index, JsonValue body) {
    }
}
