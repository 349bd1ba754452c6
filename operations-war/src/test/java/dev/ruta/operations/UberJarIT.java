package dev.ruta.operations;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.FreePorts;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.TestHttp;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The built uber jar, run as users run it: its own process, started with --port, stopped with SIGTERM. */
@ExtendWith(ConsulExtension.class)
class UberJarIT {

    private static Map<String, String> settings(ConsulAgent consul, String message) {
        return Map.of("consul.url", consul.httpUrl().toString(), "service.address", "127.0.0.1",
                "service.check.interval", "1s", "service.message", message);
    }

    @Test
    void registersThePortGivenWithDashDashPortAndLeavesOnSigterm(ConsulAgent consul) {
        int port = FreePorts.next();
        try (PayaraProcess server = new PayaraProcess(PayaraProcess.uberJar("operations-war", "operations"), port,
                settings(consul, "uber jar")).start().awaitUp("/api/instance")) {
            String id = "operations-127.0.0.1-" + port;
            JsonObject registered = await("Consul holds port " + port).atMost(Duration.ofSeconds(30))
                    .until(() -> consul.api().passingInstance("operations", id), java.util.Optional::isPresent).orElseThrow();
            assertEquals(port, registered.getInt("Port"));
            assertEquals("uber jar", registered.getJsonObject("Meta").getString("message"));
            assertEquals("5", TestHttp.get(server.url("/api/operations/add?a=2&b=3")).json()
                    .getJsonNumber("result").bigDecimalValue().toPlainString());

            server.terminate();
            await("deregistered on SIGTERM").atMost(Duration.ofSeconds(2))
                    .until(() -> consul.api().registered("operations").stream().noneMatch(s -> id.equals(s.getString("ID"))));
        }
    }

    @Test
    void registersThePortThatAutoBindHttpFound(ConsulAgent consul) throws IOException {
        int busy = FreePorts.next();
        try (ServerSocket occupied = new ServerSocket(busy, 1, InetAddress.getLoopbackAddress());
             PayaraProcess server = new PayaraProcess(PayaraProcess.uberJar("operations-war", "operations"), busy,
                     settings(consul, "auto bind")).withArgs("--autoBindHttp", "--autoBindRange", "20").start()) {
            JsonObject registered = await("registered by the auto-bound server").atMost(Duration.ofMinutes(2))
                    .until(() -> consul.api().passing("operations").stream()
                            .filter(s -> "auto bind".equals(s.getJsonObject("Meta").getString("message"))).findFirst(),
                            java.util.Optional::isPresent).orElseThrow();
            int port = registered.getInt("Port");
            assertNotEquals(busy, port);
            assertEquals(port, TestHttp.get(java.net.URI.create("http://127.0.0.1:" + port + "/api/instance")).json().getInt("port"));
        }
    }
}
