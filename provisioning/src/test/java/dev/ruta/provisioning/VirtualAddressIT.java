package dev.ruta.provisioning;

import static dev.ruta.provisioning.Requests.instanceId;
import static dev.ruta.provisioning.Requests.splitOnceRoutedTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.provisioning.SteadyLoad.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The inventory's {@code vip} line on test hosts (network namespaces on 198.18.0.0/24): a Consul
 * server, two balancer hosts between which keepalived moves a virtual address, an operations
 * host, and a client host sending a steady load to the virtual address. The balancer that holds
 * it is killed, then comes back; then the host that took the address over loses its network
 * cable, then gets it back. The address moves each time, requests fail only in the gap, and a
 * host that comes back does not take the address back. The times are printed, not asserted.
 */
class VirtualAddressIT extends OnTestHosts {

    private static final String SERVER = "198.18.0.2";
    private static final List<String> BALANCERS = List.of("198.18.0.5", "198.18.0.6");
    private static final String OPERATIONS = "198.18.0.11";
    private static final String CLIENT = "198.18.0.100";
    private static final String VIP = "198.18.0.200";
    private static final String ADDITION = "/api/operations/add?a=1&b=2";
    /** The address stays where it is over this much steady load once the lost host is back. */
    private static final Duration NO_FLAP = Duration.ofSeconds(20);

    VirtualAddressIT() {
        super("vip");
    }

    @Test
    void theAddressMovesWhenItsBalancerOrItsHostIsLostAndStaysWhenTheyComeBack() throws IOException {
        TestHost server = network.addHost("server", SERVER);
        deployment.add(server, "consul-server", "");
        List<TestHost> balancers = new ArrayList<>();
        for (int i = 0; i < BALANCERS.size(); i++) {
            TestHost host = network.addHost("lb" + (i + 1), BALANCERS.get(i));
            balancers.add(host);
            deployment.add(host, "balancer", "");
        }
        TestHost operations = network.addHost("ops", OPERATIONS);
        deployment.add(operations, "operations", "Hello from the operations host");
        deployment.vip(VIP);
        TestHost client = network.addHost("client", CLIENT);

        assertEquals(0, deployment.run("up", "up"), deployment.log("up"));
        String up = deployment.log("up").strip();
        assertTrue(up.substring(up.lastIndexOf('\n') + 1).contains("the virtual address is https://" + VIP + ":8443/"), up);

        // One balancer host holds the address, and status says which.
        TestHost first = holder(balancers);
        TestHost second = balancers.get(1 - balancers.indexOf(first));
        awaitBackup(second);
        assertEquals(0, deployment.run("status", "status"), deployment.log("status"));
        String status = deployment.log("status");
        assertTrue(status.contains("[ruta " + first.address() + "] virtual address " + VIP + ": held here"), status);
        assertTrue(status.contains("[ruta " + second.address() + "] virtual address " + VIP + ": not here (BACKUP"), status);
        assertTrue(status.contains("[ruta] virtual address " + VIP + ": held by " + first.address() + "\n"), status);

        // Both balancers route before either is lost, and the address serves HTTPS with a
        // certificate that names it.
        Set<String> instance = Set.of(instanceId(OPERATIONS));
        for (String address : BALANCERS) {
            assertEquals(Map.of(instanceId(OPERATIONS), 10L), splitOnceRoutedTo(client, "http://" + address + ":8080", instance));
        }
        assertEquals(Map.of(instanceId(OPERATIONS), 10L), splitOnceRoutedTo(client, "http://" + VIP + ":8080", instance));
        assertEquals("200 2", client.https("https://" + VIP + ":8443" + ADDITION, deployment.secrets().resolve("https/ca.pem")));

        // keepalived's configuration holds the VRRP password: owner-only, and the password is on
        // no command line and in no log.
        String password = Files.readString(deployment.secrets().resolve("vrrp.password")).strip();
        for (TestHost host : balancers) {
            Path config = deployment.disk(host).resolve(".run/keepalived/keepalived.conf");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)), config.toString());
            assertTrue(Files.readString(config).contains("auth_pass " + password), "no VRRP authentication in " + config);
        }
        assertFalse(TestNetwork.output("ps", "-eo", "args").contains(password), "the VRRP password is on a command line");
        assertFalse(Deployment.logsUnder(deployment.disks()).contains(password), "the VRRP password is in a log");

        try (SteadyLoad load = new SteadyLoad(client, "http://" + VIP + ":8080" + ADDITION)) {
            long started = System.nanoTime();
            await("the steady load is answered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> load.answeredAgain(started).isPresent());

            // The balancer that holds the address is killed: its host gives the address up once
            // two checks have failed, and the other host takes it. In the gap the killed
            // balancer's port refuses at once.
            long killed = System.nanoTime();
            deployment.kill(first, "balancer");
            long killAnswered = awaitAnsweredAgain(load, killed, "the balancer holding the address was killed");
            assertTrue(holds(second), "the address did not move to " + second.address());
            assertFalse(holds(first), first.address() + " kept the address without its balancer");
            List<Request> killGap = gap(load, killed, killAnswered);
            assertEquals(List.of(), SteadyLoad.describe(killGap.stream().filter(request -> !request.failedFast()).toList(), killed),
                    "requests in the gap after the kill that did not fail fast (refused or reset)");
            report("the balancer holding the address was killed (kill -9)", load, killed, killAnswered, killGap);

            // up starts the killed balancer again; its host comes back as a backup and leaves the
            // address where it is.
            long firstHeld = moves(first, "MASTER");
            assertEquals(0, deployment.run("up-after-kill", "up"), deployment.log("up-after-kill"));
            assertTrue(deployment.log("up-after-kill").contains(second.address() + " already up"),
                    "the host holding the address was not left alone:\n" + deployment.log("up-after-kill"));
            awaitBackup(first);
            awaitLoad(load, System.nanoTime() + NO_FLAP.toNanos());
            assertEquals(List.of(), failedSince(load, killAnswered, killed),
                    "requests failed after the address answered again, through the balancer's return and " + NO_FLAP + " beyond");
            assertTrue(holds(second) && !holds(first), "the address moved back after the balancer returned");
            assertEquals(firstHeld, moves(first, "MASTER"), "the returning host took the address again: " + movesLog(first));

            // The host that holds the address now loses its cable: the other stops hearing its
            // adverts and takes the address. A cut host answers nothing, so requests in this
            // gap end by the client's own timeout.
            long cut = System.nanoTime();
            network.unplug(second);
            long cutAnswered = awaitAnsweredAgain(load, cut, "the host holding the address lost its cable");
            assertTrue(holds(first), "the address did not move back to " + first.address());
            report("the host holding the address lost its cable (ip link set eth0 down)", load, cut, cutAnswered, gap(load, cut, cutAnswered));

            // Plugged in again, it comes back as a backup: the address stays where it is.
            long secondHeld = moves(second, "MASTER");
            network.plugIn(second);
            awaitBackup(second);
            awaitLoad(load, System.nanoTime() + NO_FLAP.toNanos());
            assertEquals(List.of(), failedSince(load, cutAnswered, cut),
                    "requests failed after the address answered again, through the host's return and " + NO_FLAP + " beyond");
            assertTrue(holds(first) && !holds(second), "the address moved back after the host was plugged in again");
            assertEquals(secondHeld, moves(second, "MASTER"), "the plugged-in host took the address again: " + movesLog(second));
        }

        // down stops keepalived with the rest, and the address goes with it.
        assertEquals(0, deployment.run("down", "down"), deployment.log("down"));
        assertEquals(List.of(), network.processes(), "processes left on the test hosts after deploy.sh down");
        for (TestHost host : balancers) {
            assertFalse(holds(host), host.address() + " kept the address after down");
        }
    }

    /** The one balancer host that holds the address, once one does. */
    private static TestHost holder(List<TestHost> balancers) {
        await("a balancer host holds " + VIP).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> balancers.stream().anyMatch(VirtualAddressIT::holds));
        List<TestHost> holders = balancers.stream().filter(VirtualAddressIT::holds).toList();
        assertEquals(1, holders.size(), "holders of " + VIP + ": " + holders);
        return holders.get(0);
    }

    private static boolean holds(TestHost host) {
        return TestNetwork.output("ip", "-n", host.namespace(), "-o", "-4", "addr", "show").contains(" " + VIP + "/");
    }

    /** When the first request sent after the event was answered; awaited. */
    private static long awaitAnsweredAgain(SteadyLoad load, long event, String what) {
        await("the address answers again after " + what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> load.answeredAgain(event).isPresent());
        long answered = load.answeredAgain(event).orElseThrow();
        // Some more requests after it, so that a flap right after the move would show.
        awaitLoad(load, answered + Duration.ofSeconds(2).toNanos());
        return answered;
    }

    /** Until a request has started at or after {@code at} (nanoTime) and been recorded. */
    private static void awaitLoad(SteadyLoad load, long at) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(Math.max(0, at - System.nanoTime()));
        await("steady load until then").atMost(Duration.ofSeconds(seconds + 30)).pollInterval(Duration.ofMillis(200))
                .until(() -> load.lastStart() >= at);
    }

    /** The requests sent after the event that failed before the address answered again. */
    private static List<Request> gap(SteadyLoad load, long event, long answered) {
        return load.since(event).stream().filter(request -> request.start() < answered && !request.ok()).toList();
    }

    private static List<String> failedSince(SteadyLoad load, long from, long origin) {
        return SteadyLoad.describe(load.since(from).stream().filter(request -> !request.ok()).toList(), origin);
    }

    /** Until the host's keepalived has gone back to BACKUP: its check passes and it hears the holder. */
    private void awaitBackup(TestHost host) {
        await(host.address() + " back as a backup").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> movesLog(host).strip().endsWith(" BACKUP"));
    }

    /** How often the host's keepalived entered STATE, from the moves notify.sh logged. */
    private long moves(TestHost host, String state) throws IOException {
        return movesLog(host).lines().filter(line -> line.endsWith(" " + state)).count();
    }

    private String movesLog(TestHost host) throws IOException {
        Path log = deployment.disk(host).resolve(".run/keepalived/moves.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The figures of one move, for the README: printed, not asserted. */
    private static void report(String event, SteadyLoad load, long at, long answered, List<Request> gap) {
        List<Request> inFlight = load.inFlightAt(at);
        long fast = gap.stream().filter(Request::failedFast).count();
        System.out.printf("VirtualAddressIT: %s: the address answered again after %d ms; in the gap %d requests failed "
                        + "(%d refused or reset at once, %d by the client's timeout), the longest in %d ms; %d in flight then, %d of them failed%n",
                event, TimeUnit.NANOSECONDS.toMillis(answered - at), gap.size(), fast, gap.size() - fast,
                gap.stream().mapToLong(Request::millis).max().orElse(0), inFlight.size(),
                inFlight.stream().filter(request -> !request.ok()).count());
        SteadyLoad.describe(gap, at).forEach(line -> System.out.println("VirtualAddressIT:   failed " + line));
    }
}
