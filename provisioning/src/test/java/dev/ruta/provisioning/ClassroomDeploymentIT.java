package dev.ruta.provisioning;

import static dev.ruta.provisioning.Requests.additions;
import static dev.ruta.provisioning.Requests.instanceId;
import static dev.ruta.provisioning.Requests.split;
import static dev.ruta.provisioning.Requests.splitOnceRoutedTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.provisioning.TestHost.Answer;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The seed's layout across machines in classroom mode ({@code deploy.sh --classroom}: no ACLs,
 * no encryption, the server's API open on the LAN, as the exam had it), deployed onto test
 * hosts (network namespaces on 198.18.0.0/24): a Consul server with the balancer, three hosts
 * that each run a Consul client agent joined to it and an operations instance, and a browser
 * host that only makes requests. Then a fourth operations host is added to the running system.
 */
class ClassroomDeploymentIT extends OnTestHosts {

    private static final String SERVER = "198.18.0.2";
    private static final List<String> OPERATIONS = List.of("198.18.0.11", "198.18.0.12", "198.18.0.13");
    private static final String ADDED = "198.18.0.14";
    private static final String BROWSER = "198.18.0.100";
    private static final String CONSUL = "http://" + SERVER + ":8500";
    private static final String BALANCER = "http://" + SERVER + ":8080";

    ClassroomDeploymentIT() {
        super("classroom");
    }

    @Test
    void seedLayoutAcrossHostsBalancesAndTakesANewHost() throws IOException {
        TestHost server = network.addHost("server", SERVER);
        deployment.add(server, "consul-server,balancer", "");
        List<TestHost> hosts = new ArrayList<>();
        for (int i = 0; i < OPERATIONS.size(); i++) {
            TestHost host = network.addHost("ops" + (i + 1), OPERATIONS.get(i));
            hosts.add(host);
            deployment.add(host, "operations", greeting(i));
        }
        TestHost added = network.addHost("ops4", ADDED);
        TestHost browser = network.addHost("browser", BROWSER);

        assertEquals(0, deployment.run("up", "up", "--classroom"), deployment.log("up"));
        assertFalse(Files.exists(deployment.secrets()), "classroom mode made secrets");

        // status reports every host's processes.
        assertEquals(0, deployment.run("status", "status"), deployment.log("status"));
        String status = deployment.log("status");
        for (String address : OPERATIONS) {
            assertTrue(status.contains("[ruta " + address + "] operations: running"), status);
        }
        assertTrue(status.contains("[ruta " + SERVER + "] balancer: running"), status);

        // Each host got the jar of the server it runs, not the other 100 MB one.
        Path opsDisk = deployment.disk(hosts.get(0));
        assertTrue(Files.exists(opsDisk.resolve("operations-war/target/operations.jar")));
        assertFalse(Files.exists(opsDisk.resolve("balancer-war")), "an operations host got the balancer's jar");

        // Every host's agent joined the one server, as the seed's machines did.
        JsonArray members = (JsonArray) server.json(CONSUL + "/v1/agent/members");
        Map<String, String> alive = members.getValuesAs(JsonObject.class).stream()
                .filter(member -> member.getInt("Status") == 1)
                .collect(Collectors.toMap(member -> member.getString("Addr"), member -> member.getJsonObject("Tags").getString("role")));
        assertEquals(Map.of(SERVER, "consul", OPERATIONS.get(0), "node", OPERATIONS.get(1), "node", OPERATIONS.get(2), "node"), alive);

        // Each instance registered through its own host's agent, at its host's address, with
        // the inventory's greeting (spaces and accents survive the trip through the shell).
        Map<String, JsonObject> instances = passingInstances(server);
        assertEquals(Set.copyOf(OPERATIONS), instances.keySet());
        for (int i = 0; i < OPERATIONS.size(); i++) {
            JsonObject instance = instances.get(OPERATIONS.get(i));
            assertEquals(OPERATIONS.get(i), instance.getString("Address"));
            assertEquals(8081, instance.getInt("Port"));
            assertEquals(greeting(i), instance.getJsonObject("Meta").getString("message"));
        }

        // A browser on the LAN asks the balancer twice and gets two machines; 30 times, 10 each.
        Map<String, Long> even = Map.of(instanceId(OPERATIONS.get(0)), 10L, instanceId(OPERATIONS.get(1)), 10L, instanceId(OPERATIONS.get(2)), 10L);
        assertEquals(even, splitOnceRoutedTo(browser, BALANCER, even.keySet()));

        // A new machine, added to the inventory and deployed while the rest keeps running, takes traffic.
        deployment.add(added, "operations", "Hello from the fourth machine");
        assertEquals(0, deployment.run("up-again", "up", "--classroom"), deployment.log("up-again"));
        String again = deployment.log("up-again");
        for (String running : List.of(SERVER, OPERATIONS.get(0), OPERATIONS.get(1), OPERATIONS.get(2))) {
            assertTrue(again.contains(running + " already up"), running + " was not left alone:\n" + again);
        }
        Map<String, Long> evened = Map.of(instanceId(OPERATIONS.get(0)), 10L, instanceId(OPERATIONS.get(1)), 10L, instanceId(OPERATIONS.get(2)), 10L, instanceId(ADDED), 10L);
        assertEquals(evened, splitOnceRoutedTo(browser, BALANCER, evened.keySet()), "the fourth host takes traffic");

        // A machine drops off the network without a word (no reset, no refusal). New connections
        // to it time out and are retried elsewhere, and it is ejected; only a request already
        // sent on an open connection to it waits out the read timeout and gets the balancer's 504.
        TestHost lost = hosts.get(1);
        network.unplug(lost);
        List<Answer> duringLoss = browser.get(additions(BALANCER, 40));
        List<Answer> failed = duringLoss.stream().filter(answer -> answer.status() != 200).toList();
        assertTrue(failed.size() <= 1 && failed.stream().allMatch(answer -> answer.status() == 504),
                "more than the one request in flight on the lost host failed: " + duringLoss);
        assertTrue(duringLoss.stream().noneMatch(answer -> answer.instance().equals(instanceId(lost.address()))), duringLoss.toString());
        await("Consul stops passing the unplugged host").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> !passingInstances(server).containsKey(lost.address()));
        Map<String, Long> remaining = Map.of(instanceId(OPERATIONS.get(0)), 10L, instanceId(OPERATIONS.get(2)), 10L, instanceId(ADDED), 10L);
        assertEquals(remaining, splitOnceRoutedTo(browser, BALANCER, remaining.keySet()), "the balancer stops routing to the unplugged host");

        // Back on the network, its agent rejoins and the instance takes traffic again.
        network.plugIn(lost);
        await("the plugged-in host takes traffic again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> split(browser.get(additions(BALANCER, 4))).containsKey(instanceId(lost.address())));

        // A changed "set" line reaches every Ruta server, one host at a time, each ready before
        // the next is restarted; once they run with it, up leaves them alone again. A host whose
        // agent crashed meanwhile is no exception: its agent starts in the same turn.
        assertEquals("round-robin", strategyOf(server));
        deployment.kill(hosts.get(0), "consul");
        deployment.set("balancer.strategy=least-requests");
        assertEquals(0, deployment.run("up-changed", "up", "--classroom"), deployment.log("up-changed"));
        String changed = deployment.log("up-changed");
        List<String> restarted = List.of(SERVER, OPERATIONS.get(0), OPERATIONS.get(1), OPERATIONS.get(2), ADDED);
        int from = 0;
        for (String address : restarted) {
            int restarting = changed.indexOf(address + ": settings changed; restarting its servers", from);
            int ready = changed.indexOf("[ruta " + address + "] up", restarting);
            assertTrue(restarting >= 0 && ready > restarting, address + " was not restarted on its own:\n" + changed);
            from = ready;
        }
        assertEquals("least-requests", strategyOf(server));
        assertEquals(0, deployment.run("up-unchanged", "up", "--classroom"), deployment.log("up-unchanged"));
        String unchanged = deployment.log("up-unchanged");
        for (String address : restarted) {
            assertTrue(unchanged.contains(address + " already up"), address + " was not left alone:\n" + unchanged);
        }
        assertEquals(Set.copyOf(restarted.subList(1, restarted.size())), passingInstances(server).keySet());

        // down stops every process it started, on every host.
        assertEquals(0, deployment.run("down", "down"), deployment.log("down"));
        assertEquals(List.of(), network.processes(), "processes left on the test hosts after deploy.sh down");
    }

    /** Passing operations instances, by the address of the Consul node each is registered on. */
    private static Map<String, JsonObject> passingInstances(TestHost server) {
        JsonArray entries = (JsonArray) server.json(CONSUL + "/v1/health/service/operations?passing");
        assertNotNull(entries, "Consul's health endpoint did not answer");
        return entries.getValuesAs(JsonObject.class).stream().collect(Collectors.toMap(
                entry -> entry.getJsonObject("Node").getString("Address"), entry -> entry.getJsonObject("Service")));
    }

    /** The strategy the balancer reports in its routing table. */
    private static String strategyOf(TestHost server) {
        JsonObject table = (JsonObject) server.json(BALANCER + "/balancer/services");
        assertNotNull(table, "the balancer did not answer its table");
        return table.getJsonArray("services").getJsonObject(0).getString("strategy");
    }

    private static String greeting(int index) {
        return "Hola desde la máquina " + (index + 1);
    }
}
