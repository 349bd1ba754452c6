package dev.ruta.provisioning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Requests sent from a test host one after the other, each by a curl of its own and so on a
 * new connection, as many clients would: each recorded with when it started and ended (this
 * JVM's {@link System#nanoTime()}) and how it ended. Runs until closed.
 */
final class SteadyLoad implements AutoCloseable {

    /** Long enough for a SYN that was lost while the address moved to be sent again (after 1 s) and answered. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MAX_TIME = Duration.ofSeconds(3);
    private static final Duration PAUSE = Duration.ofMillis(50);

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    SteadyLoad(TestHost client, String url) {
        List<String> command = List.of("ip", "netns", "exec", client.namespace(), "curl", "-s", "-o", "/dev/null",
                "--connect-timeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()), "--max-time", String.valueOf(MAX_TIME.toSeconds()),
                "-w", "%{http_code}", url);
        thread = Thread.ofPlatform().name("steady-load-" + client.address()).daemon().start(() -> {
            while (running) {
                requests.add(send(command));
                try {
                    // Pacing, not waiting for anything: about 15 requests a second with curl's own start.
                    Thread.sleep(PAUSE);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static Request send(List<String> command) {
        long start = System.nanoTime();
        try {
            Process curl = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String status = new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!curl.waitFor(MAX_TIME.toSeconds() + 10, TimeUnit.SECONDS)) {
                curl.destroyForcibly();
                return new Request(start, System.nanoTime(), -1, 0);
            }
            return new Request(start, System.nanoTime(), curl.exitValue(), status.matches("\\d{3}") ? Integer.parseInt(status) : 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Request(start, System.nanoTime(), -1, 0);
        }
    }

    /** The requests that started at or after {@code from} (nanoTime), in order. */
    List<Request> since(long from) {
        return requests.stream().filter(request -> request.start() >= from).toList();
    }

    /** The requests that started before {@code at} and ended after it: in flight at that moment. */
    List<Request> inFlightAt(long at) {
        return requests.stream().filter(request -> request.start() < at && request.end() > at).toList();
    }

    /** When the first request that started at or after {@code from} and was answered 200 ended. */
    Optional<Long> answeredAgain(long from) {
        return since(from).stream().filter(Request::ok).map(Request::end).min(Long::compare);
    }

    /** When the last request recorded so far started. */
    long lastStart() {
        return requests.isEmpty() ? Long.MIN_VALUE : requests.get(requests.size() - 1).start();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(MAX_TIME.plusSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request: its start and end (nanoTime), curl's exit status and the HTTP status (0 when none came). */
    record Request(long start, long end, int exit, int status) {

        boolean ok() {
            return exit == 0 && status == 200;
        }

        /**
         * Whether it failed as a refused or reset connection does: at once, with curl's "could not
         * connect" (7), "empty reply" (52), "send failure" (55) or "receive failure" (56), and not
         * by waiting out a timeout (28).
         */
        boolean failedFast() {
            return exit == 7 || exit == 52 || exit == 55 || exit == 56;
        }

        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(end - start);
        }

        String describe(long origin) {
            return String.format("at +%d ms: curl exit %d, HTTP %d, %d ms", TimeUnit.NANOSECONDS.toMillis(start - origin), exit,
                    status, millis());
        }
    }

    /** The requests that failed, described relative to {@code origin}, for an assertion's message. */
    static List<String> describe(List<Request> requests, long origin) {
        List<String> lines = new ArrayList<>();
        requests.forEach(request -> lines.add(request.describe(origin)));
        return lines;
    }
}
