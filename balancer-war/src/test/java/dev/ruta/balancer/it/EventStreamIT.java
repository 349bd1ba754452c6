package dev.ruta.balancer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One subscriber to {@code /balancer/events} that never reads what it is sent: the balancer's
 * writes to it fill every buffer on the way and then wait. Routing must not wait with them.
 * A balancer of its own, as the stalled subscriber holds one of its event writers.
 */
@ExtendWith(ConsulExtension.class)
class EventStreamIT {

    /** Instances of a service whose greetings make each event about 60 KB. */
    private static final int BULKY_INSTANCES = 100;
    private static final int CHANGES = 300;

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
    void aSubscriberThatNeverReadsHoldsUpNoRouting(ConsulAgent consul) throws IOException {
        system = new LocalSystem(consul);
        system.registerInstance("steady-1", "steady", steady.port());
        system.startBalancer(Map.of()).awaitUp("/health/ready");
        String greeting = "x".repeat(500);
        List<String> bulky = new ArrayList<>();
        for (int i = 0; i < BULKY_INSTANCES; i++) {
            String id = "bulky-" + i;
            system.register(id, instance(id, 20_000 + i, greeting));
            bulky.add(id);
        }
        system.awaitRouted("bulky", bulky);

        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", system.balancer().port()));
            stalled.getOutputStream().write("GET /balancer/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            // Each change is an event of the whole view: together far more than the socket buffers hold.
            for (int i = 0; i < CHANGES; i++) {
                consul.api().register(instance("bulky-extra", 21_000, greeting));
                consul.api().deregister("bulky-extra");
            }
            consul.api().deregister("bulky-0");
            system.awaitRouted("bulky", bulky.subList(1, bulky.size()));
            assertEquals(200, TestHttp.get(system.viaBalancer("/api/steady/x")).status());
        }
    }

    private static String instance(String id, int port, String greeting) {
        return "{\"ID\":\"" + id + "\",\"Name\":\"bulky\",\"Address\":\"127.0.0.1\",\"Port\":" + port
                + ",\"Tags\":[\"balanced\"],\"Meta\":{\"message\":\"" + greeting + "\"}}";
    }
}
