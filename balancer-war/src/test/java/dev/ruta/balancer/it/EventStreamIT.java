package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Subscribers to {@code /balancer/events} that never read what they are sent, while routing
 * changes go by: each change is an event of the whole view (about 60 KB), together far more
 * than the balancer's heap. Routing must not wait for them, their events must not pile up in
 * the balancer, and they must not keep their places. A balancer of its own for each test, with
 * a small heap: one that kept every unsent event ran out of memory here.
 */
@ExtendWith(ConsulExtension.class)
class EventStreamIT {

    /** Instances of a service whose greetings make each event about 60 KB. */
    private static final int BULKY_INSTANCES = 100;
    private static final String GREETING = "x".repeat(500);

    private LocalSystem system;
    private final RecordingServer steady = new RecordingServer("steady");
    private final List<Socket> stalled = new ArrayList<>();

    @AfterEach
    void stop() {
        Closing.all(Stream.concat(stalled.stream(), Stream.of(system, steady)).toArray(AutoCloseable[]::new));
    }

    @Test
    void subscribersThatNeverReadCostLittleWhileChangesGoBy(ConsulAgent consul) throws IOException, InterruptedException {
        int subscribers = 10;
        // No heartbeat during the test: they keep their places, and what they cost stays.
        List<String> bulky = startWithBulkyService(consul, subscribers, "1h");
        stallSubscribers(subscribers);
        // Each change reaches the balancer before the next is made, so that each makes an event:
        // 400 of them, 24 MB per subscriber if they were kept.
        for (int i = 0; i < 200; i++) {
            consul.api().register(instance("bulky-extra", 21_000));
            awaitFollowed(consul);
            consul.api().deregister("bulky-extra");
            awaitFollowed(consul);
        }
        consul.api().deregister("bulky-0");
        system.awaitRouted("bulky", bulky.subList(1, bulky.size()));
        assertEquals(200, TestHttp.get(system.viaBalancer("/api/steady/x")).status());
        assertTrue(system.balancer().isAlive(), "the balancer ran out of memory");
        assertEquals(503, subscribe(), "the stalled subscribers no longer hold their places: the test tried nothing");
        assertEquals(0, droppedSubscribers(), "a stalled subscriber was dropped: the test tried less than it says");
    }

    @Test
    void aSubscriberThatTakesNothingForAHeartbeatLosesItsPlace(ConsulAgent consul) throws IOException, InterruptedException {
        int subscribers = 2;
        startWithBulkyService(consul, subscribers, "1s");
        stallSubscribers(subscribers);
        assertEquals(503, subscribe(), "the stalled subscribers hold every place");
        // Changes until what is sent to them fills every buffer on the way and the heartbeat finds them stalled.
        await("every stalled subscriber dropped").atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    consul.api().register(instance("bulky-extra", 21_000));
                    awaitFollowed(consul);
                    consul.api().deregister("bulky-extra");
                    awaitFollowed(consul);
                    return droppedSubscribers() == subscribers;
                });
        assertEquals(200, subscribe(), "a dropped subscriber's place is free again");
        assertTrue(system.balancer().isAlive());
    }

    private List<String> startWithBulkyService(ConsulAgent consul, int maxSubscribers, String heartbeat) {
        system = new LocalSystem(consul);
        system.registerInstance("steady-1", "steady", steady.port());
        system.startBalancer(Map.of("balancer.max-subscribers", String.valueOf(maxSubscribers),
                "balancer.events.heartbeat", heartbeat), "-Xmx96m").awaitUp("/health/ready");
        List<String> bulky = new ArrayList<>();
        for (int i = 0; i < BULKY_INSTANCES; i++) {
            String id = "bulky-" + i;
            system.register(id, instance(id, 20_000 + i));
            bulky.add(id);
        }
        system.awaitRouted("bulky", bulky);
        return bulky;
    }

    /** Subscribers that read their answer's status line, then nothing more, through a small receive window. */
    private void stallSubscribers(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            stalled.add(socket);
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", system.balancer().port()));
            socket.getOutputStream().write("GET /balancer/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new String(socket.getInputStream().readNBytes("HTTP/1.1 200".length()), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", statusLine, "subscribed");
        }
    }

    /** The status a new subscriber gets; its stream is closed at once. */
    private int subscribe() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> response = client.send(
                HttpRequest.newBuilder(system.balancer().url("/balancer/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
        response.body().close();
        return response.statusCode();
    }

    private long droppedSubscribers() {
        return system.balancer().log().lines().filter(line -> line.contains("Dropped the event subscriber")).count();
    }

    private void awaitFollowed(ConsulAgent consul) {
        long index = consul.api().healthIndex("bulky");
        await("the balancer follows Consul's index " + index).atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> system.serviceStatus("bulky").getJsonNumber("consulIndex").longValue() >= index);
    }

    private static String instance(String id, int port) {
        return "{\"ID\":\"" + id + "\",\"Name\":\"bulky\",\"Address\":\"127.0.0.1\",\"Port\":" + port
                + ",\"Tags\":[\"balanced\"],\"Meta\":{\"message\":\"" + GREETING + "\"}}";
    }
}
