package dev.ruta.balancer.discovery;

import dev.ruta.balancer.discovery.ConsulHttp.ConsulAnswer;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Follows a whole Consul catalog with two blocking queries, whatever its size: the catalog's
 * service list, whose index moves with every registration, and the checks of the tagged
 * registrations and of every node, whose index moves with every change of health. When the
 * catalog moves, each node's tagged registrations are read again (one request per node); when
 * health moves, only the checks are. Both are joined into each service's passing instances, and
 * only the services whose instances changed are announced. So the balancer holds at most three
 * connections and two threads against its agent, far inside the agent's per-client limit, and a
 * change still arrives within one round trip. While a watch fails, the last complete table stays.
 */
public final class ConsulCatalogSource implements InstanceSource {

    private static final Logger LOG = Logger.getLogger(ConsulCatalogSource.class.getName());
    /** A tag goes into a filter expression between quotes. */
    private static final Pattern TAG = Pattern.compile("[\\x21-\\x7E&&[^\"\\\\]]{1,128}");

    private final ConsulHttp consul;
    private final String nodeServicesFilter;
    private final boolean routeWarning;
    private final ExecutorService httpThreads;
    private final BlockingWatch catalog;
    private final BlockingWatch health;
    /** Entries already warned about, so a bad one is named once, not on every change. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** What was last announced per service; guarded by this. */
    private final Map<String, List<Instance>> announced = new HashMap<>();
    private volatile List<CatalogEntry> entries;
    private volatile HealthStates states;
    private volatile Instant completeAt;
    private volatile DiscoveryListener listener;

    public ConsulCatalogSource(URI consulUrl, Optional<String> token, String tag, boolean routeWarning, Duration wait,
                               Duration maxRetryDelay, ThreadFactory threads) {
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("balancer.tag '" + tag + "' must be 1-128 printable characters, without quotes or backslashes");
        }
        this.routeWarning = routeWarning;
        this.httpThreads = Executors.newFixedThreadPool(2, threads);
        this.consul = new ConsulHttp(consulUrl, token, wait, httpThreads);
        this.nodeServicesFilter = "?filter=" + ConsulHttp.encode("\"" + tag + "\" in Tags");
        String checksFilter = ConsulHttp.encode("ServiceTags contains \"" + tag + "\" or ServiceID == \"\"");
        this.catalog = new BlockingWatch("catalog", consul, "/v1/catalog/services", this::catalogMoved, maxRetryDelay, threads);
        this.health = new BlockingWatch("health", consul, "/v1/health/state/any?filter=" + checksFilter, this::healthMoved,
                maxRetryDelay, threads);
    }

    @Override
    public void start(DiscoveryListener listener) {
        this.listener = listener;
        catalog.start();
        health.start();
    }

    /** Consul's last answer, once both watches have answered and the table is complete. */
    @Override
    public Optional<Instant> lastAnswer() {
        if (completeAt == null) {
            return Optional.empty();
        }
        return Stream.of(catalog.lastSuccess(), health.lastSuccess()).flatMap(Optional::stream).max(Instant::compareTo);
    }

    @Override
    public Optional<String> lastError() {
        String errors = Stream.of(catalog.lastError(), health.lastError()).flatMap(Optional::stream)
                .collect(Collectors.joining("; "));
        return errors.isEmpty() ? Optional.empty() : Optional.of(errors);
    }

    @Override
    public void close() {
        catalog.close();
        health.close();
        httpThreads.shutdownNow();
    }

    private void catalogMoved(ConsulAnswer services) throws IOException, InterruptedException {
        List<CatalogEntry> read = new ArrayList<>();
        for (String node : nodes()) {
            ConsulAnswer answer = consul.read("/v1/catalog/node-services/" + ConsulHttp.encode(node) + nodeServicesFilter);
            read.addAll(CatalogEntry.read(answer.body(), this::warnOnce));
        }
        entries = List.copyOf(read);
        announce(services.index());
    }

    private void healthMoved(ConsulAnswer checks) {
        states = HealthStates.read(checks.body());
        announce(checks.index());
    }

    private List<String> nodes() throws IOException, InterruptedException {
        JsonValue answer = consul.read("/v1/catalog/nodes").body();
        if (answer.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new IOException("Consul's node list is not a list");
        }
        return answer.asJsonArray().stream()
                .filter(node -> node.getValueType() == JsonValue.ValueType.OBJECT
                        && node.asJsonObject().get("Node") instanceof JsonString)
                .map(node -> node.asJsonObject().getString("Node"))
                .sorted().toList();
    }

    /** Announces the services whose passing instances differ from what was last announced. */
    private synchronized void announce(long index) {
        List<CatalogEntry> known = entries;
        HealthStates health = states;
        if (known == null || health == null) {
            return;
        }
        Map<String, List<Instance>> passing = health.routable(known, routeWarning);
        Instant now = Instant.now();
        for (Map.Entry<String, List<Instance>> service : passing.entrySet()) {
            List<Instance> before = announced.put(service.getKey(), service.getValue());
            if (before == null) {
                LOG.log(Level.INFO, "Routing service {0}: it has instances with the routing tag", service.getKey());
            }
            if (!service.getValue().equals(before)) {
                listener.instancesChanged(new ServiceSnapshot(service.getKey(), service.getValue(), index, now));
            }
        }
        for (String service : Set.copyOf(announced.keySet())) {
            if (!passing.containsKey(service)) {
                announced.remove(service);
                listener.serviceRemoved(service);
                LOG.log(Level.INFO, "No longer routing service {0}: gone from Consul or untagged", service);
            }
        }
        completeAt = now;
    }

    private void warnOnce(String what, String problem) {
        if (warned.add(what + "/" + problem)) {
            LOG.log(Level.WARNING, "Not routing {0} from Consul: {1}", new Object[] {what, problem});
        }
    }
}
