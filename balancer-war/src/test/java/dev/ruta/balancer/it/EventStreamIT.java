package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Subscribers to {@code /balancer/events} that never read what they are sent, while routing
 * changes go by: each change is an event of the whole view (about 60 KB), and together they
 * come to far more than the balancer's heap. Routing must not wait for them, their events must
 * not pile up in the balancer, and they must not keep their places. A balancer of its own,
 * with a small heap: one that kept every unsent event ran out of memory here.
 */
@ExtendWith(ConsulExtension.class)
class EventStreamIT {

    /** Instances of a service whose greetings make each event about 60 KB. */
    private static final int BULKY_INSTANCES = 100;
    private static final int CHANGES = 200;
    private static final int STALLED = 10;

    private LocalSystem system;
    private final RecordingServer steady = new RecordingServer("steady");

    @AfterEach
    void stop() {
        if (system != null) {
            system.close();
        }
        steady.close();
    }

    @Test
    void subscribersThatNeverReadCostLittleAndLoseTheirPlaces(ConsulAgent consul) throws IOException, InterruptedException {
        system = new LocalSystem(consul);
        system.registerInstance("steady-1", "steady", steady.port());
        system.startBalancer(Map.of("balancer.max-subscribers", String.valueOf(STALLED), "balancer.events.heartbeat", "1s"),
                "-Xmx96m").awaitUp("/health/ready");
        String greeting = "x".repeat(500);
        List<String> bulky = new ArrayList<>();
        for (int i = 0; i < BULKY_INSTANCES; i++) {
            String id = "bulky-" + i;
            system.register(id, instance(id, 20_000 + i, greeting));
            bulky.add(id);
        }
        system.awaitRouted("bulky", bulky);

        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < STALLED; i++) {
                Socket socket = new Socket();
                stalled.add(socket);
                socket.setReceiveBufferSize(4096);
                socket.connect(new InetSocketAddress("127.0.0.1", system.balancer().port()));
                socket.getOutputStream().write("GET /balancer/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
            }
            // Each change reaches the balancer before the next is made, so that each makes an event.
            for (int i = 0; i < CHANGES; i++) {
                consul.api().register(instance("bulky-extra", 21_000, greeting));
                awaitFollowed(consul);
                consul.api().deregister("bulky-extra");
                awaitFollowed(consul);
            }
            consul.api().deregister("bulky-0");
            system.awaitRouted("bulky", bulky.subList(1, bulky.size()));
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/steady/x")).status());
            assertTrue(system.balancer().isAlive(), "the balancer ran out of memory");

            // They still hold their connections open and never read: the heartbeat finds them
            // stalled, drops them, and their places are free again.
            await("every stalled subscriber dropped").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> system.balancer().log().lines().filter(line -> line.contains("Dropped the event subscriber")).count(),
                            dropped -> dropped == STALLED);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<InputStream> fresh = client.send(HttpRequest.newBuilder(system.balancer().url("/balancer/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            fresh.body().close();
            assertEquals(200, fresh.statusCode(), "a stalled subscriber's place is free again");
            assertTrue(system.balancer().isAlive(), "the balancer ran out of memory");
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    private void awaitFollowed(ConsulAgent consul) {
        long index = consul.api().healthIndex("bulky");
        await("the balancer follows Consul's index " + index).atMost(Duration.ofMinutes(1)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> system.serviceStatus("bulky").getJsonNumber("consulIndex").longValue() >= index);
    }

    private static String instance(String id, int port, String greeting) {
        return "{\"ID\":\"" + id + "\",\"Name\":\"bulky\",\"Address\":\"127.0.0.1\",\"Port\":" + port
                + ",\"Tags\":[\"balanced\"],\"Meta\":{\"message\":\"" + greeting + "\"}}";
    }
}
