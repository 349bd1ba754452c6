import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An open-loop load: requests start at a fixed rate whatever the answers do, so a slow answer is
 * counted from when its request should have started and never hides behind a client that waited
 * for it (the coordinated omission of closed-loop tools). One line per request to the output:
 * intended start (ms since the run began), latency from the intended start (µs), status (0: a
 * connection error, -1: no answer within the timeout), and the instance that answered (the
 * "instance" member of the operations service's JSON) or, for a request that got no answer, how
 * it failed: {@code refused}, {@code reset} (the connection broke) or {@code timeout}.
 *
 *   java OpenLoad.java URL RATE SECONDS OUTPUT [TIMEOUT_SECONDS]
 *
 * With {@code -Dopenload.epoch-file=FILE} it writes to FILE, before the first request, the wall
 * clock (ms since 1970) of the run's time 0, so that events logged elsewhere line up with it.
 *
 * Compiled and run by provisioning/balancing-benchmark.sh with the JDK alone, on virtual
 * threads: a request waiting on a paused instance holds no platform thread.
 */
public final class OpenLoad {

    private static final Pattern INSTANCE = Pattern.compile("\"instance\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: java OpenLoad.java URL RATE SECONDS OUTPUT [TIMEOUT_SECONDS]");
            System.exit(2);
        }
        URI target = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        int seconds = Integer.parseInt(args[2]);
        Path output = Path.of(args[3]);
        Duration timeout = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 10);
        if (rate <= 0 || seconds <= 0) {
            System.err.println("RATE and SECONDS must be positive");
            System.exit(2);
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        long total = Math.round(rate * seconds);
        long intervalNanos = Math.round(1e9 / rate);
        long begin = System.nanoTime() + 100_000_000;
        String epochFile = System.getProperty("openload.epoch-file");
        if (epochFile != null) {
            Files.writeString(Path.of(epochFile), (System.currentTimeMillis() + 100) + "\n");
        }
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; i < total; i++) {
                long intended = begin + i * intervalNanos;
                LockSupport.parkNanos(intended - System.nanoTime());
                requests.execute(() -> lines.add(send(client, target, timeout, intended, begin)));
            }
            requests.shutdown();
            requests.awaitTermination(timeout.toSeconds() + 30, TimeUnit.SECONDS);
        }
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(output))) {
            lines.forEach(out::println);
        }
    }

    private static String send(HttpClient client, URI target, Duration timeout, long intended, long begin) {
        int status;
        String instance = "-";
        try {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(target).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            status = answer.statusCode();
            Matcher found = INSTANCE.matcher(answer.body());
            if (found.find()) {
                instance = found.group(1);
            }
        } catch (java.net.http.HttpTimeoutException e) {
            status = -1;
            instance = "timeout";
        } catch (java.net.ConnectException e) {
            status = 0;
            instance = "refused";
        } catch (IOException e) {
            status = 0;
            instance = "reset";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 0;
            instance = "interrupted";
        }
        long now = System.nanoTime();
        return (intended - begin) / 1_000_000 + " " + (now - intended) / 1000 + " " + status + " " + instance;
    }
}
