package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.Closing;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.FreePorts;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.ProjectPaths;
import dev.ruta.testing.RecordingServer;
import dev.ruta.testing.TestHttp;
import dev.ruta.testing.TrustedCa;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The balancer as the edge a browser reaches: HTTPS with HTTP/2 offered through ALPN, with a
 * certificate from the provisioning scripts' own CA; plain HTTP redirected (308) by a setting;
 * the admin surface on a loopback port of its own, and nothing of it on the traffic ports,
 * however the path is spelled; bad TLS input costing no thread.
 */
@ExtendWith(ConsulExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeIT {

    private final Path tls = ProjectPaths.scratch("edge-tls-");
    private final int httpsPort = FreePorts.next();
    private final int adminPort = FreePorts.next();
    private final RecordingServer echo = new RecordingServer("echo");
    private LocalSystem system;
    private PayaraProcess balancer;
    private HttpClient trusting;

    @BeforeAll
    void start(ConsulAgent consul) throws Exception {
        makeCertificate();
        system = new LocalSystem(consul);
        system.registerInstance("echo-1", "echo", echo.port());
        Path preBoot = tls.resolve("pre-boot-commands.asadmin");
        Files.writeString(preBoot, Files.readString(ProjectPaths.root().resolve("payara-config/pre-boot-commands.asadmin"))
                + "\ncreate-network-listener --listenerport " + adminPort + " --address 127.0.0.1 --protocol http-listener"
                + " --threadpool http-thread-pool --transport tcp ruta-admin-listener\n");
        balancer = new PayaraProcess(PayaraProcess.uberJar("balancer-war", "balancer"), FreePorts.next(),
                Map.of("consul.url", consul.httpUrl().toString(), "balancer.admin-port", String.valueOf(adminPort),
                        "balancer.https-redirect-port", String.valueOf(httpsPort),
                        // OpenTelemetry on, with nowhere to export to: spans are still made and propagated.
                        "otel.sdk.disabled", "false", "dev.ruta.balancer.proxy.client.UpstreamClient/Traced/value", "true",
                        "otel.traces.exporter", "none", "otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
                .withArgs("--sslPort", String.valueOf(httpsPort), "--sslCert", "ruta",
                        "--systemProperties", tls.resolve("balancer.properties").toString(),
                        "--prebootcommandfile", preBoot.toString())
                .start();
        await("the balancer's admin port answers").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .failFast("the balancer exited; log: " + balancer.log(), () -> !balancer.isAlive())
                .until(() -> TestHttp.answers(admin("/health/live")) && TestHttp.get(admin("/health/live")).status() == 200);
        trusting = HttpClient.newBuilder().sslContext(TrustedCa.context(tls.resolve("ca.pem"))).version(HttpClient.Version.HTTP_2).build();
        await("echo routed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> TestHttp.get(admin("/balancer/services")).body().contains("echo-1"));
    }

    @AfterAll
    void stop() {
        try {
            Closing.all(balancer, system, echo);
        } finally {
            ProjectPaths.deleteTree(tls);
        }
    }

    @Test
    void servesHttpsWithHttp2ToAClientThatTrustsTheCa() throws Exception {
        HttpResponse<String> answer = trusting.send(HttpRequest.newBuilder(https("/api/echo/x?y=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(HttpClient.Version.HTTP_2, answer.version());
        assertEquals("echo-1", answer.headers().firstValue("X-Ruta-Instance").orElse(""));
        assertEquals("/api/echo/x?y=1", echo.received().get(echo.received().size() - 1).pathAndQuery());

        HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        assertThrows(SSLHandshakeException.class, () -> untrusting.send(HttpRequest.newBuilder(https("/api/echo/x")).build(),
                HttpResponse.BodyHandlers.ofString()), "refused without the CA");
    }

    @Test
    void withOpenTelemetryOnEachCallToAnInstanceIsASpanInTheClientsTrace() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String clientSpan = "00f067aa0ba902b7";
        HttpResponse<String> answer = trusting.send(HttpRequest.newBuilder(https("/api/echo/traced"))
                .header("traceparent", "00-" + traceId + "-" + clientSpan + "-01").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        List<String> sent = echo.received().get(echo.received().size() - 1).headers().getOrDefault("traceparent", List.of());
        assertEquals(1, sent.size(), "one trace context: " + sent);
        String[] parts = sent.get(0).split("-");
        assertEquals(traceId, parts[1], "the client's trace goes on: " + sent);
        assertNotEquals(clientSpan, parts[2], "its parent is now the balancer's span: " + sent);
    }

    @Test
    void aMalformedTraceContextFromAClientStartsATraceOfTheBalancers() throws Exception {
        HttpResponse<String> answer = trusting.send(HttpRequest.newBuilder(https("/api/echo/badly-traced"))
                .header("traceparent", "00-not-a-trace-" + "x".repeat(200) + "-01").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        List<String> sent = echo.received().get(echo.received().size() - 1).headers().getOrDefault("traceparent", List.of());
        assertEquals(1, sent.size(), "one trace context: " + sent);
        // Flags of Trace Context level 2: sampled (01) and, from Payara 7's OpenTelemetry, a random trace ID (02).
        assertTrue(sent.get(0).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]"), "a well-formed one of the balancer's: " + sent);
    }

    @Test
    void plainHttpIsRedirectedKeepingMethodPathAndQuery() {
        HttpReply reply = TestHttp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + balancer.port() + "/api/echo/a%20b?x=1&y=2"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(308, reply.status());
        assertEquals("https://127.0.0.1:" + httpsPort + "/api/echo/a%20b?x=1&y=2", reply.header("Location"));
        assertEquals(200, TestHttp.get(admin("/balancer/services")).status(), "the admin port stays plain");
    }

    @Test
    void plainHttpSpeaksNoHttp2InClearText() throws Exception {
        // The admin port is a plain listener of the same protocol as the traffic port, which redirects here.
        HttpResponse<String> upgraded = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()
                .send(HttpRequest.newBuilder(admin("/health/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, upgraded.statusCode(), upgraded.body());
        assertEquals(HttpClient.Version.HTTP_1_1, upgraded.version(), "Upgrade: h2c is not taken");
        try (Socket socket = RawHttp.open(adminPort)) {
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] first = socket.getInputStream().readNBytes(8);
            String start = new String(first, StandardCharsets.ISO_8859_1);
            assertTrue(first.length == 0 || start.startsWith("HTTP/1."),
                    "HTTP/2 with prior knowledge is not spoken: the answer began " + Arrays.toString(first));
        }
    }

    @Test
    void theAdminSurfaceAnswersOnlyOnItsPort() throws Exception {
        for (String path : List.of("/balancer/services", "/metrics", "/health/ready", "/openapi", "/", "/app.js")) {
            assertEquals(200, TestHttp.get(admin(path)).status(), path);
            HttpResponse<String> onTraffic = trusting.send(HttpRequest.newBuilder(https(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, onTraffic.statusCode(), path + ": " + onTraffic.body());
            assertTrue(onTraffic.body().contains("\"error\":\"not-found\""), onTraffic.body());
        }
        for (String spelling : List.of("/%62alancer/services", "/api/../balancer/services", "/api/%2e%2e/balancer/services",
                "/api/echo/%2E%2E/%2e%2e/metrics", "//balancer/services", "/balancer/services;x", "/BALANCER/services")) {
            HttpResponse<String> onTraffic = trusting.send(HttpRequest.newBuilder(https(spelling)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(Set.of(400, 404).contains(onTraffic.statusCode()), spelling + ": " + onTraffic.statusCode());
            assertTrue(!onTraffic.body().contains("\"services\""), spelling + " leaked the table: " + onTraffic.body());
        }
        HttpResponse<String> hostSpoofed = trusting.send(HttpRequest.newBuilder(https("/balancer/services"))
                .header("X-Forwarded-Port", String.valueOf(adminPort)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, hostSpoofed.statusCode());
        HttpReply viaHost = RawHttp.exchange(balancer.port(), "GET /balancer/services HTTP/1.1\r\nHost: 127.0.0.1:" + adminPort
                + "\r\nConnection: close\r\n\r\n", out -> { });
        assertTrue(Set.of(308, 404).contains(viaHost.status()) && !viaHost.body().contains("\"services\""),
                "a Host header naming the admin port changes nothing on the plain traffic port: " + viaHost.status());

        HttpReply trafficOnAdmin = TestHttp.get(admin("/api/echo/x"));
        assertEquals(404, trafficOnAdmin.status(), trafficOnAdmin.body());
    }

    @Test
    void badTlsInputCostsNoThreadAndNoInstance() throws Exception {
        int receivedBefore = echo.received().size();
        try (Socket plain = RawHttp.open(httpsPort)) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("GET /api/echo/x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // Closed at once (read to its end within the socket's timeout), whatever it says before.
            plain.getInputStream().readAllBytes();
        }
        int before = threads();
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = RawHttp.open(httpsPort);
                // The first bytes of a ClientHello record, and nothing more.
                socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
                stalled.add(socket);
            }
            HttpResponse<String> meanwhile = trusting.send(HttpRequest.newBuilder(https("/api/echo/y")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, meanwhile.statusCode(), "served beside 200 stalled handshakes");
            int during = threads();
            // The worker pool may grow a little with the burst of connections; a thread held per
            // stalled handshake would be 200 more.
            assertTrue(during - before < 100, "threads went from " + before + " to " + during + " with 200 stalled handshakes");
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        assertEquals(receivedBefore + 1, echo.received().size(), "no bad handshake reached the instance");

        // A name the balancer has no certificate for: it answers with the one it has, and the
        // client decides (this one checks the chain, not the name).
        try (javax.net.ssl.SSLSocket unknownName = (javax.net.ssl.SSLSocket) TrustedCa.context(tls.resolve("ca.pem")).getSocketFactory()
                .createSocket("127.0.0.1", httpsPort)) {
            javax.net.ssl.SSLParameters parameters = unknownName.getSSLParameters();
            parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName("unknown.example")));
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            unknownName.setSSLParameters(parameters);
            unknownName.setSoTimeout(10_000);
            unknownName.getOutputStream().write("GET /api/echo/sni HTTP/1.1\r\nHost: unknown.example\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(unknownName.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }

    private URI https(String path) {
        return URI.create("https://127.0.0.1:" + httpsPort + path);
    }

    private URI admin(String path) {
        return URI.create("http://127.0.0.1:" + adminPort + path);
    }

    private int threads() throws IOException {
        return Files.readAllLines(Path.of("/proc/" + balancer.pid() + "/status")).stream()
                .filter(line -> line.startsWith("Threads:"))
                .mapToInt(line -> Integer.parseInt(line.substring("Threads:".length()).strip()))
                .findFirst().orElseThrow();
    }

    /** The CA and key store, made by the provisioning scripts' own functions, as local-cluster.sh --https does. */
    private void makeCertificate() throws Exception {
        Path library = ProjectPaths.root().resolve("provisioning/lib/tls.sh");
        Process make = new ProcessBuilder("bash", "-c", "die() { echo \"$*\" >&2; exit 1; }; . \"$1\";"
                + " ensure_https_ca \"$2\" && ensure_https_certificate \"$2\" balancer IP:127.0.0.1,DNS:localhost"
                + " && write_https_properties \"$2/balancer.p12\" \"$2/balancer.password\" \"$2/balancer.properties\"",
                "make", library.toString(), tls.toString()).inheritIO().start();
        assertTrue(make.waitFor(60, TimeUnit.SECONDS) && make.exitValue() == 0, "tls.sh made the key store");
        try (Stream<Path> made = Files.list(tls)) {
            for (Path file : made.toList()) {
                if (!file.toString().endsWith("ca.pem")) {
                    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                            file + " is its owner's only");
                }
            }
        }
    }
}
