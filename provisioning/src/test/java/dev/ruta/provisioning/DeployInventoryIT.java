package dev.ruta.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What deploy.sh does with an inventory or arguments it cannot use: it says why and stops
 * before it makes a secret, copies a file or starts anything.
 */
class DeployInventoryIT {

    private Path work;

    @BeforeEach
    void makeFolder() {
        work = ProjectPaths.scratch("inventory");
    }

    @AfterEach
    void removeFolder() {
        ProjectPaths.deleteTree(work);
    }

    @Test
    void twoServersAreRefusedAsRaftNeedsAMajority() throws IOException {
        Path inventory = inventory("198.18.0.2 consul-server,balancer netns:unused-a\n"
                + "198.18.0.3 consul-server netns:unused-b\n");
        Result result = deploy(inventory.toString(), "up");
        assertEquals(1, result.status(), result.output());
        assertTrue(result.output().contains("2 hosts have the consul-server role; Consul needs 1, 3 or 5"), result.output());
        assertFalse(Files.exists(work.resolve("hosts.secrets")), "secrets were made for an inventory that was refused");
    }

    @Test
    void anUnknownRoleOrOptionGetsItsOwnMessage() throws IOException {
        Result role = deploy(inventory("198.18.0.2 consul-server,router netns:unused-a\n").toString(), "up");
        assertEquals(1, role.status(), role.output());
        assertTrue(role.output().contains("unknown role 'router'"), role.output());

        Result option = deploy("--secure-later", inventory("198.18.0.2 consul-server netns:unused-a\n").toString(), "up");
        assertEquals(2, option.status(), option.output());
        assertTrue(option.output().contains("usage:"), option.output());
        assertFalse(Files.exists(work.resolve("hosts.secrets")), "secrets were made for a refused command");
    }

    @Test
    void aVipLineThatCannotWorkIsRefusedWithItsReason() throws IOException {
        String hosts = "198.18.0.2 consul-server,balancer netns:unused-a\n198.18.0.3 balancer netns:unused-b\n";
        Map<String, String> refused = Map.of(
                "vip 198.18.0.300\n", "vip '198.18.0.300' is not an IPv4 address",
                "vip 198.18.0.200 198.18.0.201\n", "a vip line is 'vip <address>', alone on its line",
                "vip 198.18.0.200\nvip 198.18.0.201\n", "more than one vip line",
                "vip 198.18.0.3\n", "the vip 198.18.0.3 is a host's own address",
                "vip 198.18.0.0\n", "vip 198.18.0.0 ends in .0");
        assertEachRefused(hosts, refused);
        Result alone = deploy(inventory("198.18.0.2 consul-server,balancer netns:unused-a\nvip 198.18.0.200\n").toString(), "up");
        assertEquals(1, alone.status(), alone.output());
        assertTrue(alone.output().contains("a vip moves between balancer hosts, and fewer than two have the balancer role"), alone.output());
        assertFalse(Files.exists(work.resolve("hosts.secrets")), "secrets were made for an inventory that was refused");
    }

    @Test
    void aSetLineThatCannotWorkIsRefusedWithItsReason() throws IOException {
        String hosts = "198.18.0.2 consul-server,balancer netns:unused-a\n";
        Map<String, String> refused = Map.of(
                "set balancer.strategy\n", "a set line is 'set <key>=<value>'",
                "set =peak-ewma\n", "a set line is 'set <key>=<value>'",
                "set balancer.strategy=\n", "a set line is 'set <key>=<value>'",
                "set consul.token=s3cret\n", "consul.token is set by deploy.sh itself for each host",
                "set service.address=198.18.0.9\n", "service.address is set by deploy.sh itself for each host");
        for (String output : assertEachRefused(hosts, refused)) {
            assertFalse(output.contains("s3cret"), "a refused setting's value was printed: " + output);
        }
        assertFalse(Files.exists(work.resolve("hosts.secrets")), "secrets were made for an inventory that was refused");
    }

    /** Each line added to the hosts makes up fail with its reason; what each run printed. */
    private List<String> assertEachRefused(String hosts, Map<String, String> reasonByLine) throws IOException {
        List<String> outputs = new ArrayList<>();
        for (Map.Entry<String, String> line : reasonByLine.entrySet()) {
            Result result = deploy(inventory(hosts + line.getKey()).toString(), "up");
            assertEquals(1, result.status(), line.getKey() + result.output());
            assertTrue(result.output().contains(line.getValue()), result.output());
            outputs.add(result.output());
        }
        return outputs;
    }

    private Path inventory(String lines) throws IOException {
        return Files.writeString(work.resolve("hosts"), lines);
    }

    private Result deploy(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProjectPaths.root().resolve("provisioning/deploy.sh").toString()));
        command.addAll(List.of(arguments));
        Path output = work.resolve("deploy.log");
        int status = Commands.exitStatus(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()), Duration.ofMinutes(1));
        return new Result(status, Files.readString(output));
    }

    private record Result(int status, String output) {
    }
}
