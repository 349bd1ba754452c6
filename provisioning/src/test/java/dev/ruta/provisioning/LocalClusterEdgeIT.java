package dev.ruta.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.provisioning.Commands.Outcome;
import dev.ruta.testing.FreePorts;
import dev.ruta.testing.ProjectPaths;
import dev.ruta.testing.TestHttp;
import dev.ruta.testing.TrustedCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code local-cluster.sh up --https --admin-port N}: HTTPS with HTTP/2 from a CA the script
 * makes and names, trusted by a client given that CA and refused without it; the admin surface
 * on a loopback port of its own and answered 404 on the traffic ports; status and down as ever.
 */
class LocalClusterEdgeIT {

    private final Path run = ProjectPaths.scratch("local-cluster-edge-").resolve("run");
    private final int balancerPort = FreePorts.next();
    private final int httpsPort = FreePorts.next();
    private final int adminPort = FreePorts.next();
    private final int instancePort = FreePorts.next();
    private final Map<String, String> environment = Map.of("RUN_DIR", run.toString(),
            "OPERATIONS_PORTS", String.valueOf(instancePort), "BALANCER_PORT", String.valueOf(balancerPort),
            "HTTPS_PORT", String.valueOf(httpsPort), "CONSUL_HTTP_PORT", String.valueOf(FreePorts.next()),
            "CONSUL_DNS_PORT", String.valueOf(FreePorts.next()), "CONSUL_SERF_LAN_PORT", String.valueOf(FreePorts.next()),
            "CONSUL_SERVER_PORT", String.valueOf(FreePorts.next()));

    @AfterEach
    void down() {
        try {
            script(Duration.ofMinutes(2), "down");
        } finally {
            ProjectPaths.deleteTree(run.getParent());
        }
    }

    @Test
    void upWithHttpsAndAnAdminPort() throws Exception {
        String up = script(Duration.ofMinutes(5), "up", "--https", "--admin-port", String.valueOf(adminPort));
        assertTrue(up.startsWith("exit 0\n"), up);
        Path ca = run.resolve("tls/ca.pem");
        assertTrue(up.contains(ca.toString()), "up names the CA to trust:\n" + up);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve("tls"))));
        try (Stream<Path> files = Files.list(run.resolve("tls"))) {
            for (Path file : files.toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
            }
        }

        HttpClient trusting = HttpClient.newBuilder().sslContext(TrustedCa.context(ca)).version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> sum = trusting.send(HttpRequest.newBuilder(https("/api/operations/add?a=1&b=2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, sum.statusCode(), sum.body());
        assertEquals(HttpClient.Version.HTTP_2, sum.version());
        assertTrue(sum.body().contains("\"result\":3"), sum.body());
        assertThrows(SSLHandshakeException.class, () -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(https("/api/operations/add?a=1&b=2")).build(), HttpResponse.BodyHandlers.ofString()));

        assertEquals(200, TestHttp.get(URI.create("http://127.0.0.1:" + balancerPort + "/api/operations/add?a=1&b=2")).status(),
                "plain HTTP keeps routing");
        for (String path : List.of("/balancer/services", "/metrics", "/")) {
            assertEquals(200, TestHttp.get(URI.create("http://127.0.0.1:" + adminPort + path)).status(), path);
            assertEquals(404, TestHttp.get(URI.create("http://127.0.0.1:" + balancerPort + path)).status(), path);
            assertEquals(404, trusting.send(HttpRequest.newBuilder(https(path)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode(), path);
        }
        assertEquals(List.of("127.0.0.1"), listeningAddresses(adminPort), "the admin port is on loopback only");

        String status = script(Duration.ofMinutes(1), "status");
        assertTrue(status.lines().anyMatch(line -> line.matches("operations-127\\.0\\.0\\.1-" + instancePort
                + "\\s+" + instancePort + "\\s+\\d+\\s+passing\\s+1\\s+\\d+")), "status reads the admin port:\n" + status);
    }

    @Test
    void refusesAnAdminPortThatIsTheTrafficPort() {
        String refused = script(Duration.ofMinutes(1), "up", "--admin-port", String.valueOf(balancerPort));
        assertTrue(refused.startsWith("exit 2\n") && refused.contains("usage:"), refused);
        assertFalse(Files.exists(run.resolve("consul")), "nothing started");
    }

    private URI https(String path) {
        return URI.create("https://127.0.0.1:" + httpsPort + path);
    }

    /** The local addresses a TCP port listens on, from the kernel's tables (an IPv4-mapped IPv6 one as IPv4). */
    private static List<String> listeningAddresses(int port) throws IOException {
        List<String> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                String[] fields = line.trim().split("\\s+");
                String[] local = fields[1].split(":");
                if (Integer.parseInt(local[1], 16) != port || !fields[3].equals("0A")) {
                    continue;
                }
                String hex = local[0];
                if (hex.length() == 8 || hex.startsWith("0000000000000000FFFF0000")) {
                    long ip = Long.parseLong(hex.substring(hex.length() - 8), 16);
                    addresses.add((ip & 0xFF) + "." + (ip >> 8 & 0xFF) + "." + (ip >> 16 & 0xFF) + "." + (ip >> 24 & 0xFF));
                } else {
                    addresses.add("[" + hex + "]");
                }
            }
        }
        return addresses;
    }

    private String script(Duration timeout, String... arguments) {
        Outcome outcome = Commands.script("provisioning/local-cluster.sh", environment, timeout, arguments);
        return "exit " + outcome.exit() + "\n" + outcome.output();
    }
}
