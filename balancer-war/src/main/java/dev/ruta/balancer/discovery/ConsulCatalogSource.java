package dev.ruta.balancer.discovery;

import dev.ruta.balancer.discovery.ConsulHttp.ConsulAnswer;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Follows a whole Consul catalog with two blocking queries, whatever its size: the catalog's
 * service list, whose index moves with every registration, and the checks of the tagged
 * registrations and of every node, whose index moves with every change of health.
 *
 * <p>Consul 1.8 does not say which registration a catalog move was, so the checks tell it: a
 * registration that joins, leaves or is made anew adds or drops checks of its service, and a
 * service that is tagged, untagged or retagged changes the service list. Only those services are
 * read again, one request each; the registrations without a check of their own, which only the
 * catalog knows, are read again on every catalog move. When that would be more requests than the
 * catalog has nodes, each node is read instead (one request per node), as at the start and every
 * {@code resync} while the catalog moves, which also catches what leaves the checks as they were
 * (a registration changed in place). States come from the checks alone, so passing and failing
 * arrive within one round trip. The joined table announces only the services whose instances
 * changed. Reads are made one at a time: at most three connections and three threads against the
 * agent. While a watch or a read fails, the last complete table stays.
 *
 * <p>A registry that comes back younger than it was (a dev agent restarted, a snapshot restored)
 * has forgotten its registrations, not lost its instances: they are still serving and register
 * again within their own resync. So for {@code resetGrace} after such a reset, a service it no
 * longer lists keeps its last instances (a dead one among them is retried elsewhere and ejected,
 * as always); it is replaced as soon as Consul lists it with passing instances again.
 */
public final class ConsulCatalogSource implements InstanceSource {

    private static final Logger LOG = Logger.getLogger(ConsulCatalogSource.class.getName());
    /** A tag goes into a filter expression between quotes. */
    private static final Pattern TAG = Pattern.compile("[\\x21-\\x7E&&[^\"\\\\]]{1,128}");

    private final ConsulHttp consul;
    private final String tag;
    private final String nodeServicesFilter;
    private final String serviceFilter;
    private final boolean routeWarning;
    private final Duration resync;
    private final Duration resetGrace;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService resyncThread;
    private final BlockingWatch catalog;
    private final BlockingWatch health;
    /** Entries already warned about, so a bad one is named once, not on every change. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    // The table and what it was read from; guarded by this, which also makes reads one at a time.
    private final Map<String, List<CatalogEntry>> registrations = new HashMap<>();
    private final Map<String, List<Instance>> announced = new HashMap<>();
    private TaggedServices tagged = TaggedServices.none();
    private HealthStates states;
    private int nodes;
    private Instant wholeReadAt;
    private boolean movedSinceWholeRead;
    /** After a failed resync, the next try: resync later, not at the next tick. */
    private Instant resyncRetryAt = Instant.MIN;
    private long index;
    /** Until when services the registry forgot keep their last instances; null when it forgot nothing. */
    private Instant holdForgottenUntil;
    private volatile String resyncError;
    private volatile Instant completeAt;
    private volatile DiscoveryListener listener;

    public ConsulCatalogSource(URI consulUrl, Optional<String> token, String tag, boolean routeWarning, Duration wait,
                               Duration maxRetryDelay, Duration resync, Duration resetGrace, ThreadFactory threads) {
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("balancer.tag '" + tag + "' must be 1-128 printable characters, without quotes or backslashes");
        }
        if (resync.compareTo(Duration.ofSeconds(1)) < 0) {
            // Each resync reads every node: more often than this, a moving catalog is read whole all the time.
            throw new IllegalArgumentException("consul.catalog.resync must be 1s or more, not " + resync.toMillis() + "ms");
        }
        this.tag = tag;
        this.routeWarning = routeWarning;
        this.resync = resync;
        this.resetGrace = resetGrace;
        this.httpThreads = Executors.newFixedThreadPool(2, threads);
        this.resyncThread = Executors.newSingleThreadScheduledExecutor(threads);
        this.consul = new ConsulHttp(consulUrl, token, wait, httpThreads);
        this.nodeServicesFilter = "?filter=" + ConsulHttp.encode("\"" + tag + "\" in Tags");
        this.serviceFilter = "?filter=" + ConsulHttp.encode("\"" + tag + "\" in Service.Tags");
        String checksFilter = ConsulHttp.encode("ServiceTags contains \"" + tag + "\" or ServiceID == \"\"");
        this.catalog = new BlockingWatch("catalog", consul, "/v1/catalog/services", this::catalogMoved, this::registryReset,
                maxRetryDelay, threads);
        this.health = new BlockingWatch("health", consul, "/v1/health/state/any?filter=" + checksFilter, this::healthMoved,
                this::registryReset, maxRetryDelay, threads);
    }

    @Override
    public void start(DiscoveryListener listener) {
        this.listener = listener;
        catalog.start();
        health.start();
        // A tick every second, so that a resync comes resync after the last whole read: ticks every
        // resync from the start found the start's whole read not quite that old, and waited twice as long.
        resyncThread.scheduleWithFixedDelay(this::resync, 1, 1, TimeUnit.SECONDS);
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
        String errors = Stream.of(catalog.lastError(), health.lastError(), Optional.ofNullable(resyncError))
                .flatMap(Optional::stream).collect(Collectors.joining("; "));
        return errors.isEmpty() ? Optional.empty() : Optional.of(errors);
    }

    @Override
    public void close() {
        catalog.close();
        health.close();
        resyncThread.shutdownNow();
        httpThreads.shutdownNow();
    }

    private synchronized void catalogMoved(ConsulAnswer services) throws IOException, InterruptedException {
        TaggedServices now = TaggedServices.read(services.body(), tag);
        if (wholeReadAt == null) {
            readWhole();
        } else {
            Set<String> stale = now.changedSince(tagged);
            if (states != null) {
                stale.addAll(states.servicesWithUncheckedRegistrations(entries()));
            }
            read(stale);
            movedSinceWholeRead = true;
        }
        tagged = now;
        announce(services.index());
    }

    private synchronized void healthMoved(ConsulAnswer checks) throws IOException, InterruptedException {
        HealthStates now = HealthStates.read(checks.body());
        if (wholeReadAt != null) {
            read(now.servicesChangedSince(states == null ? HealthStates.none() : states));
        }
        // Only once the services it names are read: if a read fails, the next answer names them again.
        states = now;
        announce(checks.index());
    }

    private synchronized void registryReset() {
        Instant now = Instant.now();
        boolean holding = holdForgottenUntil != null && now.isBefore(holdForgottenUntil);
        holdForgottenUntil = now.plus(resetGrace);
        // Its indexes start again from its own: the table's follows.
        index = 0;
        if (holding) {
            // Both watches see the same reset.
            return;
        }
        LOG.log(Level.WARNING, "Consul at {0} forgot its registrations (its index went back); the services it no "
                + "longer lists keep their last instances for up to {1} while they register again",
                new Object[] {consul.address(), resetGrace});
    }

    private synchronized void resync() {
        Instant now = Instant.now();
        if (holdForgottenUntil != null && !now.isBefore(holdForgottenUntil)) {
            // The grace is over: what has not come back goes.
            holdForgottenUntil = null;
            try {
                announce(index);
            } catch (RuntimeException e) {
                // Thrown out of this tick, it would end every later tick.
                LOG.log(Level.SEVERE, "Unexpected error announcing the table after Consul's reset", e);
            }
        }
        if (wholeReadAt == null || !movedSinceWholeRead || now.isBefore(wholeReadAt.plus(resync)) || now.isBefore(resyncRetryAt)) {
            return;
        }
        try {
            readWhole();
            announce(index);
            resyncError = null;
        } catch (IOException e) {
            if (resyncError == null) {
                LOG.log(Level.WARNING, "Consul at {0} fails the catalog resync ({1}); keeping the table and trying again every {2}",
                        new Object[] {consul.address(), e.getMessage(), resync});
            }
            resyncError = "resync: " + e.getMessage();
            resyncRetryAt = now.plus(resync);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Unexpected error reading Consul's catalog; trying again in " + resync, e);
            resyncRetryAt = now.plus(resync);
        }
    }

    /** Reads these services again, or every node when that takes fewer requests. */
    private void read(Set<String> services) throws IOException, InterruptedException {
        if (services.size() > Math.max(1, nodes)) {
            readWhole();
            return;
        }
        for (String service : services) {
            if (!ServiceName.isValid(service)) {
                warnOnce("service " + service, ServiceName.PROBLEM);
                continue;
            }
            List<CatalogEntry> read = CatalogEntry.readService(
                    consul.read("/v1/health/service/" + service + serviceFilter).body(), this::warnOnce);
            if (read.isEmpty()) {
                registrations.remove(service);
            } else {
                registrations.put(service, read);
            }
        }
    }

    private void readWhole() throws IOException, InterruptedException {
        Instant startedAt = Instant.now();
        List<String> names = nodes();
        Map<String, List<CatalogEntry>> read = new HashMap<>();
        for (String node : names) {
            ConsulAnswer answer = consul.read("/v1/catalog/node-services/" + ConsulHttp.encode(node) + nodeServicesFilter);
            for (CatalogEntry entry : CatalogEntry.readNode(answer.body(), this::warnOnce)) {
                read.computeIfAbsent(entry.instance().service(), service -> new ArrayList<>()).add(entry);
            }
        }
        registrations.clear();
        registrations.putAll(read);
        nodes = names.size();
        wholeReadAt = startedAt;
        movedSinceWholeRead = false;
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

    private Collection<CatalogEntry> entries() {
        List<CatalogEntry> all = new ArrayList<>();
        registrations.values().forEach(all::addAll);
        return all;
    }

    /** Announces the services whose passing instances differ from what was last announced. */
    private void announce(long answerIndex) {
        index = Math.max(index, answerIndex);
        if (wholeReadAt == null || states == null) {
            return;
        }
        Map<String, List<Instance>> passing = states.routable(entries(), routeWarning);
        Instant now = Instant.now();
        boolean holding = holdForgottenUntil != null && now.isBefore(holdForgottenUntil);
        for (Map.Entry<String, List<Instance>> service : passing.entrySet()) {
            if (holding && service.getValue().isEmpty() && !announced.getOrDefault(service.getKey(), List.of()).isEmpty()) {
                // Registered again, its checks not run yet: the last instances still serve.
                continue;
            }
            List<Instance> before = announced.put(service.getKey(), service.getValue());
            if (before == null) {
                LOG.log(Level.INFO, "Routing service {0}: it has instances with the routing tag", service.getKey());
            }
            if (!service.getValue().equals(before)) {
                listener.instancesChanged(new ServiceSnapshot(service.getKey(), service.getValue(), index, now));
            }
        }
        for (String service : Set.copyOf(announced.keySet())) {
            if (!passing.containsKey(service) && !holding) {
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
