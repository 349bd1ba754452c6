package dev.ruta.provisioning;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts on one machine: a network namespace per host, each with one interface on a
 * 198.18.0.0/24 LAN and no default route, all cabled to a bridge that lives in a namespace of
 * its own, so nothing is added to the machine's own network. Needs root and iproute2.
 */
final class TestNetwork implements AutoCloseable {

    private static final String PREFIX_LENGTH = "/24";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final String prefix = "ruta" + ProcessHandle.current().pid();
    private final String switchName = prefix + "-lan";
    private final List<TestHost> hosts = new ArrayList<>();

    TestNetwork() {
        ip("netns", "add", switchName);
        ip("-n", switchName, "link", "set", "lo", "up");
        ip("-n", switchName, "link", "add", "lan", "type", "bridge");
        ip("-n", switchName, "link", "set", "lan", "up");
    }

    /**
     * Whether this machine can make test hosts: root, iproute2, and a kernel and sandbox that
     * allow network namespaces (tried with one made and removed at once).
     */
    static boolean available() {
        try {
            if (!"0".equals(output("id", "-u").strip())) {
                return false;
            }
            String probe = "ruta" + ProcessHandle.current().pid() + "-probe";
            boolean made = run("ip", "netns", "add", probe) == 0;
            return made && run("ip", "netns", "del", probe) == 0;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    TestHost addHost(String name, String address) {
        String namespace = prefix + "-" + name;
        String port = "port" + (hosts.size() + 1);
        ip("netns", "add", namespace);
        hosts.add(new TestHost(namespace, address));
        ip("-n", namespace, "link", "set", "lo", "up");
        ip("-n", namespace, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", switchName);
        ip("-n", switchName, "link", "set", port, "master", "lan", "up");
        ip("-n", namespace, "addr", "add", address + PREFIX_LENGTH, "dev", "eth0");
        ip("-n", namespace, "link", "set", "eth0", "up");
        return hosts.get(hosts.size() - 1);
    }

    /** Pulls the host's network cable: its packets are dropped, as when a machine dies or the LAN splits. */
    void unplug(TestHost host) {
        ip("-n", host.namespace(), "link", "set", "eth0", "down");
    }

    void plugIn(TestHost host) {
        ip("-n", host.namespace(), "link", "set", "eth0", "up");
    }

    /** PIDs of the processes inside this network's namespaces. */
    List<Long> processes() {
        List<Long> pids = new ArrayList<>();
        for (TestHost host : hosts) {
            output("ip", "netns", "pids", host.namespace()).lines().filter(line -> !line.isBlank())
                    .map(String::strip).map(Long::valueOf).forEach(pids::add);
        }
        return pids;
    }

    /**
     * Removes every namespace. A process still inside one (the deployment under test failed to
     * stop it) is killed by its PID first: a namespace outlives its deletion while a process holds it.
     */
    @Override
    public void close() {
        for (Long pid : processes()) {
            ProcessHandle.of(pid).ifPresent(process -> {
                process.destroyForcibly();
                process.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
            });
        }
        for (TestHost host : hosts) {
            run("ip", "netns", "del", host.namespace());
        }
        run("ip", "netns", "del", switchName);
    }

    private static void ip(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        if (run(command) != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", command));
        }
    }

    static int run(String... command) {
        return Commands.exitStatus(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD), COMMAND_TIMEOUT);
    }

    static String output(String... command) {
        return Commands.output(COMMAND_TIMEOUT, command);
    }
}
