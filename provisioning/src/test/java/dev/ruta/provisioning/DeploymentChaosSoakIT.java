package dev.ruta.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.ProjectPaths;
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
 * {@code provisioning/chaos.sh --inventory} on a secure deployment of test hosts (network
 * namespaces on 198.18.0.0/24): a Consul server, two balancer hosts sharing a virtual address,
 * two operations hosts, and a client host that sends the load to the virtual address. For three
 * minutes, the seed's faults: the balancer that holds the address is killed and restarted, an
 * instance pauses, a registration is removed, an instance is killed and restarted, Consul agents
 * restart. The balancers run peak-ewma, as the local soak's do. No request
 * fails outside the balancer's own kill, and in that gap a request is refused or reset, never
 * left hanging. The report is printed, for the README.
 */
class DeploymentChaosSoakIT extends OnTestHosts {

    /** A seed whose first faults are a balancer kill, a pause, a deregistration and an instance kill. */
    private static final String SEED = "77";
    private static final Set<String> FIRST_FAULTS = Set.of("balancer", "pause", "deregister", "kill");
    private static final int MINUTES = 3;
    private static final int RATE = 50;

    DeploymentChaosSoakIT() {
        super("chaos");
    }

    @Test
    void minutesOfFaultsOnADeploymentFailNoRequestButInTheBalancersOwnGap() throws IOException {
        deployment.add(network.addHost("server", "198.18.0.2"), "consul-server", "");
        List<TestHost> balancers = List.of(network.addHost("lb1", "198.18.0.5"), network.addHost("lb2", "198.18.0.6"));
        balancers.forEach(host -> deployment.add(host, "balancer", ""));
        deployment.add(network.addHost("ops1", "198.18.0.11"), "operations", "Hola desde la máquina 1");
        deployment.add(network.addHost("ops2", "198.18.0.12"), "operations", "Hello from machine 2");
        deployment.vip("198.18.0.200");
        // As the local soak balances: a paused instance is passed over from its first silent
        // request on. And the default read timeout, which outlasts the longest pause (a setting
        // outranks the 2 s that test hosts get from their environment).
        deployment.set("balancer.strategy=peak-ewma");
        deployment.set("balancer.read-timeout=10s");
        TestHost client = network.addHost("client", "198.18.0.100");
        assertEquals(0, deployment.run("up", "up"), deployment.log("up"));
        for (TestHost balancer : balancers) {
            // The inventory's setting reached the balancer (its table, on the host's admin port).
            assertTrue(String.valueOf(balancer.json("http://127.0.0.1:9090/balancer/services")).contains("\"strategy\":\"peak-ewma\""),
                    balancer.address() + " does not balance with peak-ewma");
        }

        // Kept after the test, beside the servers' logs: the soak's report, picture and deploy.sh's runs.
        Path out = Path.of("target", "process-logs", "deploy-chaos-soak").toAbsolutePath();
        ProjectPaths.deleteTree(out);
        int status = deployment.script("soak", "provisioning/chaos.sh",
                List.of(String.valueOf(MINUTES), "--seed", SEED, "--rate", String.valueOf(RATE),
                        "--inventory", deployment.inventory().toString(), "--load-from", "netns:" + client.namespace()),
                Map.of("OUT_DIR", out.toString(), "WARMUP", "15"), Duration.ofMinutes(MINUTES + 8));
        String log = deployment.log("soak");
        System.out.println(log);
        assertEquals(0, status, log);
        assertTrue(log.contains("failed requests outside a balancer's own kill: 0"), log);

        List<String> faults = Files.readAllLines(out.resolve("faults.txt"));
        Set<String> kinds = faults.stream().map(line -> line.split(" ")[0]).collect(Collectors.toSet());
        assertTrue(kinds.containsAll(FIRST_FAULTS), "the seed's first faults: " + faults);
        assertTrue(faults.stream().noneMatch(line -> line.split(" ")[3].equals("-1")), "every fault recovered: " + faults);
        assertTrue(faults.stream().allMatch(line -> line.endsWith(" -") || line.startsWith("pause ")),
                "a fault was refused or its restart failed: " + faults);
        List<String> requests = Files.readAllLines(out.resolve("requests.txt"));
        assertEquals(MINUTES * 60 * RATE, requests.size(), "every request was sent and counted");
        assertEquals(List.of(), hungInTheBalancersGap(requests, faults, Long.parseLong(Files.readString(out.resolve("epoch")).strip())),
                "requests in the gap after the balancer's kill that did not fail fast");
    }

    /** Requests that failed by timeout in the window of a balancer's kill: a gap must refuse, not hang. */
    private static List<String> hungInTheBalancersGap(List<String> requests, List<String> faults, long epoch) {
        List<String> hung = new ArrayList<>();
        for (String fault : faults) {
            String[] fields = fault.split(" ");
            if (!fields[0].equals("balancer")) {
                continue;
            }
            long start = Long.parseLong(fields[2]) - epoch;
            long end = Long.parseLong(fields[3]) - epoch;
            for (String request : requests) {
                // OpenLoad's line: intended start (ms), latency (us), status, instance or how it failed.
                String[] parts = request.split(" ");
                long sent = Long.parseLong(parts[0]);
                if (sent >= start && sent <= end && parts[3].equals("timeout")) {
                    hung.add(request);
                }
            }
        }
        return hung;
    }
}
