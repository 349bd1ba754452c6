package dev.ruta.provisioning;

import static dev.ruta.provisioning.Requests.additions;
import static dev.ruta.provisioning.Requests.instanceId;
import static dev.ruta.provisioning.Requests.split;
import static dev.ruta.provisioning.Requests.splitOnceRoutedTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.provisioning.TestHost.Answer;
import dev.ruta.provisioning.TestHost.Reply;
import dev.ruta.testing.ProjectPaths;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonStructure;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code deploy.sh up} makes by default, on test hosts (network namespaces on
 * 198.18.0.0/24): three Consul servers, one of them with a balancer, a second balancer host,
 * three operations hosts, then a fourth; a browser host, and a rogue host on the same LAN. The cluster runs with ACLs,
 * gossip encryption and TLS, and keeps serving through the loss of its Raft leader and of a
 * balancer.
 */
class SecureDeploymentIT extends OnTestHosts {

    private static final List<String> SERVERS = List.of("198.18.0.2", "198.18.0.3", "198.18.0.4");
    private static final List<String> OPERATIONS = List.of("198.18.0.11", "198.18.0.12", "198.18.0.13");
    private static final String SECOND_BALANCER = "198.18.0.5";
    private static final String ADDED = "198.18.0.14";
    private static final String BROWSER = "198.18.0.100";
    private static final String ROGUE = "198.18.0.66";
    private static final String LOCAL_CONSUL = "http://127.0.0.1:8500";
    private static final String ROGUE_SERVICE = "{\"Name\":\"operations\",\"Address\":\"" + ROGUE
            + "\",\"Port\":8081,\"Tags\":[\"balanced\"]}";

    private Process rogueAgent;

    SecureDeploymentIT() {
        super("secure");
    }

    @Test
    void secureClusterKeepsServingThroughTheLossOfItsLeaderAndOfABalancer() throws IOException {
        List<TestHost> servers = new ArrayList<>();
        for (int i = 0; i < SERVERS.size(); i++) {
            TestHost host = network.addHost("server" + (i + 1), SERVERS.get(i));
            servers.add(host);
            deployment.add(host, i == 0 ? "consul-server,balancer" : "consul-server", "");
        }
        TestHost balancerHost = network.addHost("balancer", SECOND_BALANCER);
        deployment.add(balancerHost, "balancer", "");
        List<TestHost> operations = new ArrayList<>();
        for (int i = 0; i < OPERATIONS.size(); i++) {
            TestHost host = network.addHost("ops" + (i + 1), OPERATIONS.get(i));
            operations.add(host);
            deployment.add(host, "operations", "Hello from machine " + (i + 1));
        }
        TestHost added = network.addHost("ops4", ADDED);
        TestHost browser = network.addHost("browser", BROWSER);
        TestHost rogue = network.addHost("rogue", ROGUE);
        List<String> balancers = List.of("http://" + SERVERS.get(0) + ":8080", "http://" + SECOND_BALANCER + ":8080");
        List<TestHost> agents = new ArrayList<>(servers);
        agents.add(balancerHost);
        agents.addAll(operations);

        assertEquals(0, deployment.run("up", "up"), deployment.log("up"));

        // Each balancer follows its own agent, and shares the requests out evenly.
        Map<String, Long> even = Map.of(instanceId(OPERATIONS.get(0)), 10L, instanceId(OPERATIONS.get(1)), 10L,
                instanceId(OPERATIONS.get(2)), 10L);
        for (String balancer : balancers) {
            assertEquals(even, splitOnceRoutedTo(browser, balancer, even.keySet()), balancer);
        }

        // Each balancer serves HTTPS with HTTP/2 to a browser that trusts the deployment's CA, and
        // keeps its admin surface to its own loopback: refused from another host, 404 on the traffic port.
        Path ca = deployment.secrets().resolve("https/ca.pem");
        for (String address : List.of(SERVERS.get(0), SECOND_BALANCER)) {
            assertEquals("200 2", browser.https("https://" + address + ":8443/api/operations/add?a=1&b=2", ca), address);
            assertEquals(0, browser.request("GET", "http://" + address + ":9090/balancer/services", null, null).status(),
                    "the admin port of " + address + " answers another host");
            assertEquals(404, browser.request("GET", "http://" + address + ":8080/balancer/services", null, null).status(), address);
        }
        assertTrue(browser.https("https://" + SERVERS.get(0) + ":8443/api/operations/add?a=1&b=2",
                deployment.secrets().resolve("tls/ca.pem")).startsWith("000"), "the agents' CA does not vouch for a balancer");
        for (TestHost host : List.of(servers.get(0), balancerHost)) {
            assertEquals(200, host.request("GET", "http://127.0.0.1:9090/balancer/services", null, null).status(), host.address());
        }

        // The secrets: readable by their owner only, here and on each host.
        assertOwnerOnly(deployment.secrets());
        for (TestHost host : agents) {
            assertOwnerOnly(deployment.disk(host).resolve("secrets"));
        }

        // status: three Raft servers, one of them leading, and every host's agent a member.
        assertEquals(0, deployment.run("status", "status"), deployment.log("status"));
        String status = deployment.log("status");
        assertEquals(1, status.lines().filter(line -> line.contains(" leader ")).count(), status);
        assertEquals(2, status.lines().filter(line -> line.contains(" follower ")).count(), status);
        for (TestHost host : agents) {
            assertTrue(status.lines().anyMatch(line -> line.contains(nodeName(host.address()) + " ") && line.contains(" alive ")),
                    host.address() + " is not an alive member:\n" + status);
        }

        // A rogue host on the LAN reaches no Consul API, and its agent cannot join without the gossip key.
        assertEquals(0, rogue.request("GET", "http://" + SERVERS.get(0) + ":8500/v1/catalog/services", null, null).status(),
                "a server's HTTP API answers on the LAN");
        startRogueAgent(rogue);
        await("the rogue agent tried to join").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> rogueLog().contains("Join cluster failed"));
        Path operator = tokenHeader("operator");
        String members = servers.get(0).request("GET", LOCAL_CONSUL + "/v1/agent/members", null, operator).body();
        assertTrue(members.contains(nodeName(OPERATIONS.get(0))), members);
        assertFalse(members.contains(ROGUE), "the rogue agent joined: " + members);
        stopRogueAgent();

        // On any agent, a server's or an operations host's: registering needs an operations
        // host's token, and an anonymous caller reads nothing. (Every split below is exact: the
        // rogue address never takes a request.)
        String register = LOCAL_CONSUL + "/v1/agent/service/register";
        Path balancerToken = tokenHeader("balancer-" + SERVERS.get(0));
        for (TestHost agent : List.of(servers.get(1), operations.get(0))) {
            assertEquals(403, agent.request("PUT", register, ROGUE_SERVICE, null).status(), "registered without a token");
            assertEquals(403, agent.request("PUT", register, ROGUE_SERVICE, balancerToken).status(),
                    "registered with a balancer's token");
            assertEquals("{}", agent.request("GET", LOCAL_CONSUL + "/v1/catalog/services", null, null).body().strip());
            assertEquals("[]", agent.request("GET", LOCAL_CONSUL + "/v1/health/service/operations", null, null).body().strip());
            assertEquals("[]", agent.request("GET", LOCAL_CONSUL + "/v1/catalog/nodes", null, null).body().strip());
        }

        // No secret shows on a command line or in a log.
        List<String> secrets = secretValues();
        String commandLines = TestNetwork.output("ps", "-eo", "args");
        String logs = Deployment.logsUnder(deployment.disks()) + Deployment.logsUnder(Path.of("target", "process-logs"));
        for (String secret : secrets) {
            assertFalse(commandLines.contains(secret), "a secret is on a command line");
            assertFalse(logs.contains(secret), "a secret is in a log");
        }

        // up again: every host is left alone, and no secret is made anew.
        Map<Path, String> before = contents(deployment.secrets());
        assertEquals(0, deployment.run("up-again", "up"), deployment.log("up-again"));
        for (TestHost host : agents) {
            assertTrue(deployment.log("up-again").contains(host.address() + " already up"), host.address() + " was not left alone");
        }
        assertEquals(before, contents(deployment.secrets()), "up again changed the secrets");

        // The Raft leader's agent is killed while 300 requests go through the balancer on a
        // server host: none fails, and the other two servers elect a new leader.
        String leader = leaderAddress(servers.get(0));
        TestHost leaderHost = servers.get(SERVERS.indexOf(leader));
        CompletableFuture<List<Answer>> during = CompletableFuture.supplyAsync(
                () -> browser.getPaced(additions(balancers.get(0), 300), 100));
        deployment.kill(leaderHost, "consul");
        List<Answer> answers = during.join();
        assertEquals(300, split(answers).values().stream().mapToLong(Long::longValue).sum());
        TestHost survivor = servers.get((SERVERS.indexOf(leader) + 1) % SERVERS.size());
        await("a new leader").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> !leaderAddress(survivor).isEmpty() && !leaderAddress(survivor).equals(leader));

        // One up: the killed server rejoins with its data, and a fourth operations host joins.
        deployment.add(added, "operations", "Hello from the fourth machine");
        assertEquals(0, deployment.run("up-after-loss", "up"), deployment.log("up-after-loss"));
        await("three healthy servers again").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> healthyServers(survivor, operator) == 3);
        Map<String, Long> evened = Map.of(instanceId(OPERATIONS.get(0)), 10L, instanceId(OPERATIONS.get(1)), 10L,
                instanceId(OPERATIONS.get(2)), 10L, instanceId(ADDED), 10L);
        for (String url : balancers) {
            assertEquals(evened, splitOnceRoutedTo(browser, url, evened.keySet()), "the fourth host takes traffic through " + url);
        }

        // One balancer is killed: the other goes on serving every request.
        deployment.kill(servers.get(0), "balancer");
        assertEquals(evened, split(browser.get(additions(balancers.get(1), 40))));

        // down stops everything it started and takes the secrets off the hosts.
        assertEquals(0, deployment.run("down", "down"), deployment.log("down"));
        assertEquals(List.of(), network.processes(), "processes left on the test hosts after deploy.sh down");
        for (TestHost host : agents) {
            assertFalse(Files.exists(deployment.disk(host).resolve("secrets")), host.address() + " kept its secrets");
        }
    }

    private static String nodeName(String address) {
        return "ruta-" + address.replace('.', '-');
    }

    /** The leader's address as that server's agent knows it, or "" while there is none. */
    private static String leaderAddress(TestHost server) {
        String body = server.request("GET", LOCAL_CONSUL + "/v1/status/leader", null, null).body().strip();
        String leader = body.replace("\"", "");
        return leader.contains(":") ? leader.substring(0, leader.indexOf(':')) : "";
    }

    private static long healthyServers(TestHost server, Path operator) {
        Reply health = server.request("GET", LOCAL_CONSUL + "/v1/operator/autopilot/health", null, operator);
        if (health.status() != 200) {
            return 0;
        }
        JsonObject autopilot = parse(health.body()).asJsonObject();
        return autopilot.getJsonArray("Servers").getValuesAs(JsonObject.class).stream()
                .filter(entry -> entry.getBoolean("Healthy")).count();
    }

    private static JsonStructure parse(String json) {
        try (var reader = Json.createReader(new StringReader(json))) {
            return reader.read();
        }
    }

    /** A curl header file carrying the secret of one of deploy.sh's tokens, readable by its owner only. */
    private Path tokenHeader(String token) throws IOException {
        String secret = Files.readString(deployment.secrets().resolve("tokens").resolve(token)).strip().split(" ")[1];
        Path header = deployment.work().resolve(token + ".header");
        Files.deleteIfExists(header);
        Files.createFile(header, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(header, "X-Consul-Token: " + secret + "\n", StandardCharsets.US_ASCII);
        return header;
    }

    /** A Consul agent on the rogue host that knows the servers' addresses but not the gossip key. */
    private void startRogueAgent(TestHost rogue) throws IOException {
        Path data = Files.createDirectories(deployment.work().resolve("rogue"));
        String consul = Commands.output(Duration.ofMinutes(5), ProjectPaths.root()
                .resolve("provisioning/install-consul.sh").toString()).strip();
        rogueAgent = new ProcessBuilder("ip", "netns", "exec", rogue.namespace(), consul, "agent", "-node", "rogue",
                "-bind", ROGUE, "-data-dir", data.resolve("data").toString(), "-dns-port", "-1",
                "-retry-join", SERVERS.get(0), "-retry-join", SERVERS.get(1), "-retry-interval", "1s")
                .redirectErrorStream(true).redirectOutput(data.resolve("consul.log").toFile()).start();
    }

    /** Also after each test, before the hosts go: JUnit runs this class's after-each before its parent's. */
    @AfterEach
    void stopRogueAgent() {
        if (rogueAgent != null) {
            rogueAgent.destroyForcibly();
            rogueAgent.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    private String rogueLog() throws IOException {
        return Files.readString(deployment.work().resolve("rogue/consul.log"));
    }

    /** Every secret deploy.sh made: the token secrets, the gossip key, the CA's and the hosts' private keys. */
    private List<String> secretValues() throws IOException {
        List<String> values = new ArrayList<>();
        try (Stream<Path> files = Files.list(deployment.secrets().resolve("tokens"))) {
            for (Path token : files.toList()) {
                values.add(Files.readString(token).strip().split(" ")[1]);
            }
        }
        values.add(Files.readString(deployment.secrets().resolve("gossip.key")).strip());
        try (Stream<Path> files = Files.list(deployment.secrets().resolve("tls"))) {
            for (Path key : files.filter(file -> file.getFileName().toString().endsWith("-key.pem")).toList()) {
                // The base64 body of the key, whatever its line breaks become in a log.
                values.add(Files.readAllLines(key).get(1));
            }
        }
        try (Stream<Path> files = Files.list(deployment.secrets().resolve("https"))) {
            for (Path password : files.filter(file -> file.getFileName().toString().endsWith(".password")).toList()) {
                values.add(Files.readString(password).strip());
            }
        }
        return values;
    }

    private static void assertOwnerOnly(Path dir) throws IOException {
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path entry : entries.toList()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(entry);
                assertTrue(permissions.stream().allMatch(permission -> permission.name().startsWith("OWNER")),
                        entry + " is " + PosixFilePermissions.toString(permissions));
            }
        }
    }

    private static Map<Path, String> contents(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).collect(Collectors.toMap(dir::relativize, file -> {
                try {
                    // Key stores are binary: compared as Base64.
                    return java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(file));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, (a, b) -> a, TreeMap::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
