package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;

import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.FreePorts;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.TestHttp;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's system for a test: real operations instances and a real balancer, each its own
 * Payara Micro process from the built uber jars, all registered in the test run's Consul agent.
 */
public final class LocalSystem implements AutoCloseable {

    private final ConsulAgent consul;
    private final List<PayaraProcess> operations = new ArrayList<>();
    private final List<String> registered = new ArrayList<>();
    /** The instances {@link #registerInstance} registered, by service: what the balancer is first awaited to route. */
    private final Map<String, List<String>> registeredRoutes = new LinkedHashMap<>();
    private PayaraProcess balancer;

    public LocalSystem(ConsulAgent consul) {
        this.consul = consul;
    }

    /** Starts an operations instance with a 1 s health check; returns it once its HTTP port answers. */
    public PayaraProcess startOperations(String message) {
        PayaraProcess instance = new PayaraProcess(PayaraProcess.uberJar("operations-war", "operations"), FreePorts.next(),
                Map.of("consul.url", consul.httpUrl().toString(), "service.address", "127.0.0.1",
                        "service.check.interval", "1s", "consul.resync-interval", "1s",
                        "consul.retry.initial-delay", "200ms", "consul.retry.max-delay", "1s",
                        "service.message", message));
        operations.add(instance);
        return instance.start();
    }

    /**
     * The seed's system: {@code count} operations instances with greetings "{@code greeting} 1",
     * "… 2", …, and the balancer; returns the instances once the balancer routes to all of them.
     */
    public List<PayaraProcess> startSeed(int count, String greeting) {
        List<PayaraProcess> instances = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            instances.add(startOperations(greeting + " " + i));
        }
        startBalancer(Map.of()).awaitUp("/health/ready");
        instances.forEach(instance -> instance.awaitUp("/api/instance"));
        awaitRouted("operations", instances.stream().map(LocalSystem::idOf).toList());
        return instances;
    }

    public PayaraProcess startBalancer(Map<String, String> settings, String... jvmOptions) {
        Map<String, String> properties = new HashMap<>(settings);
        properties.put("consul.url", consul.httpUrl().toString());
        balancer = new PayaraProcess(PayaraProcess.uberJar("balancer-war", "balancer"), FreePorts.next(), properties)
                .withJvmOptions(jvmOptions).start();
        return balancer;
    }

    /**
     * Starts the balancer with these settings; returns it once it is ready and routes every
     * instance that {@link #registerInstance} registered before.
     */
    public PayaraProcess startBalancerRoutingRegistered(Map<String, String> settings, String... jvmOptions) {
        startBalancer(settings, jvmOptions).awaitUp("/health/ready");
        registeredRoutes.forEach(this::awaitRouted);
        return balancer;
    }

    public List<PayaraProcess> operations() {
        return List.copyOf(operations);
    }

    /** Registers an instance the test runs itself, tagged for the balancer; deregistered on close. */
    public void registerInstance(String id, String service, int port) {
        register(id, "{\"ID\":\"" + id + "\",\"Name\":\"" + service + "\",\"Address\":\"127.0.0.1\",\"Port\":"
                + port + ",\"Tags\":[\"balanced\"]}");
        registeredRoutes.computeIfAbsent(service, name -> new ArrayList<>()).add(id);
    }

    /** Registers an entry as given (it may be a hostile one); deregistered on close. */
    public void register(String id, String registrationJson) {
        consul.api().register(registrationJson);
        registered.add(id);
    }

    public PayaraProcess balancer() {
        return balancer;
    }

    public URI viaBalancer(String pathAndQuery) {
        return balancer.url(pathAndQuery);
    }

    public static String idOf(PayaraProcess instance) {
        return "operations-127.0.0.1-" + instance.port();
    }

    /** Waits until the balancer routes to exactly these instances. */
    public void awaitRouted(String service, List<String> ids) {
        await("balancer routes " + service + " to " + ids).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> routedIds(service), routed -> routed.size() == ids.size() && routed.containsAll(ids));
    }

    public List<String> routedIds(String service) {
        HttpReply reply = TestHttp.get(viaBalancer("/balancer/services"));
        return reply.json().getJsonArray("services").stream()
                .map(value -> value.asJsonObject())
                .filter(entry -> service.equals(entry.getString("name")))
                .flatMap(entry -> entry.getJsonArray("instances").stream())
                .map(instance -> instance.asJsonObject().getString("id"))
                .toList();
    }

    public JsonObject serviceStatus(String service) {
        return TestHttp.get(viaBalancer("/balancer/services")).json().getJsonArray("services").stream()
                .map(value -> value.asJsonObject())
                .filter(entry -> service.equals(entry.getString("name")))
                .findFirst().orElseThrow();
    }

    @Override
    public void close() {
        registered.forEach(id -> consul.api().deregister(id));
        if (balancer != null) {
            balancer.close();
        }
        operations.forEach(PayaraProcess::close);
    }
}
