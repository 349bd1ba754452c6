package dev.ruta.testing;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP requests a Consul agent serves while this is open, as the agent itself logs them at
 * debug level, streamed by its own {@code /v1/agent/monitor}: what a client really asked for.
 */
public final class ConsulRequests implements AutoCloseable {

    private static final Pattern FINISHED = Pattern.compile("Request finished: method=(\\S+) url=(\\S+)");

    private final List<String> paths = new CopyOnWriteArrayList<>();
    private volatile Flow.Subscription subscription;

    private ConsulRequests() {
    }

    /** Starts following the agent's log, and returns once a request of its own shows there. */
    public static ConsulRequests follow(ConsulAgent agent) {
        ConsulRequests requests = new ConsulRequests();
        HttpRequest monitor = HttpRequest.newBuilder(agent.httpUrl().resolve("/v1/agent/monitor?loglevel=debug")).build();
        HttpClient.newHttpClient().sendAsync(monitor, HttpResponse.BodyHandlers.fromLineSubscriber(requests.new Lines()));
        String probe = "/v1/status/leader?probe=" + UUID.randomUUID();
        URI probeUrl = agent.httpUrl().resolve(probe);
        await("Consul's log is followed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    TestHttp.get(probeUrl);
                    return requests.paths.stream().anyMatch(path -> path.equals(probe));
                });
        requests.paths.clear();
        return requests;
    }

    /** The paths with their queries, of every GET served since {@link #follow} returned, in order. */
    public List<String> gets() {
        return List.copyOf(paths);
    }

    @Override
    public void close() {
        Flow.Subscription open = subscription;
        if (open != null) {
            open.cancel();
        }
    }

    private final class Lines implements Flow.Subscriber<String> {

        @Override
        public void onSubscribe(Flow.Subscription given) {
            subscription = given;
            given.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            Matcher finished = FINISHED.matcher(line);
            if (finished.find() && finished.group(1).equals("GET")) {
                paths.add(finished.group(2));
            }
        }

        @Override
        public void onError(Throwable error) {
            // the agent stopped or the stream was cancelled: nothing more to follow
        }

        @Override
        public void onComplete() {
            // as above
        }
    }
}
