package dev.ruta.balancer.discovery;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Follows Consul with blocking queries: the catalog's service list, to learn which services
 * carry the routing tag, and each such service's passing instances. Consul answers as soon as
 * something changes, so the table follows within one round trip. While Consul is unreachable
 * nothing is reported, so routing continues on the last good snapshots.
 */
public final class ConsulInstanceSource implements InstanceSource {

    private static final Logger LOG = Logger.getLogger(ConsulInstanceSource.class.getName());

    private final URI consul;
    private final Optional<String> token;
    private final String tag;
    private final Duration wait;
    private final Duration maxRetryDelay;
    private final ThreadFactory threads;
    private final HttpClient http;
    private final Map<String, Thread> watches = new ConcurrentHashMap<>();
    /** Registry entries already warned about, so a bad one is named once, not on every change. */
    private final Set<String> skipped = ConcurrentHashMap.newKeySet();
    private volatile DiscoveryListener listener;
    private volatile Thread catalogWatch;
    private volatile boolean closed;
    private volatile Instant lastAnswer;
    private volatile String lastError;

    public ConsulInstanceSource(URI consul, Optional<String> token, String tag, Duration wait, Duration maxRetryDelay,
                                ThreadFactory threads) {
        this.consul = consul;
        this.token = token.filter(value -> !value.isBlank());
        this.tag = tag;
        this.wait = wait;
        this.maxRetryDelay = maxRetryDelay;
        this.threads = threads;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public void start(DiscoveryListener listener) {
        this.listener = listener;
        catalogWatch = threads.newThread(this::followCatalog);
        catalogWatch.setName("ruta-consul-catalog");
        catalogWatch.start();
    }

    @Override
    public Optional<Instant> lastAnswer() {
        return Optional.ofNullable(lastAnswer);
    }

    @Override
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    @Override
    public void close() {
        closed = true;
        if (catalogWatch != null) {
            catalogWatch.interrupt();
        }
        watches.values().forEach(Thread::interrupt);
        watches.clear();
    }

    private void followCatalog() {
        long index = 0;
        int failures = 0;
        while (!closed) {
            try {
                Answer answer = query("/v1/catalog/services", index);
                index = BlockingIndex.next(index, answer.index());
                failures = 0;
                routeTaggedServices(taggedServices(answer.body().asJsonObject()));
            } catch (IOException | RuntimeException e) {
                // After an outage the agent may be a new one with a younger index: ask afresh.
                index = 0;
                failures = failed(e, failures);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Set<String> taggedServices(JsonObject catalog) {
        Set<String> tagged = catalog.entrySet().stream()
                .filter(entry -> entry.getValue().asJsonArray().stream()
                        .anyMatch(value -> value.getValueType() == JsonValue.ValueType.STRING
                                && tag.equals(((jakarta.json.JsonString) value).getString())))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(HashSet::new));
        // A name goes into the path of the next query: one like "../kv/x" would ask Consul for something else.
        for (String name : Set.copyOf(tagged)) {
            if (!ServiceName.isValid(name)) {
                tagged.remove(name);
                if (skipped.add("service/" + name)) {
                    LOG.log(Level.WARNING, "Not routing service {0} from Consul: not a name such as operations or web-2", name);
                }
            }
        }
        return tagged;
    }

    private void routeTaggedServices(Set<String> tagged) {
        for (String service : tagged) {
            if (watches.containsKey(service)) {
                continue;
            }
            LOG.log(Level.INFO, "Routing service {0}: it carries the tag {1}", new Object[] {service, tag});
            Thread watch = threads.newThread(() -> followService(service));
            watch.setName("ruta-consul-" + service);
            // In the map before it runs: the watch stops as soon as it no longer finds itself there.
            watches.put(service, watch);
            watch.start();
        }
        for (String service : Set.copyOf(watches.keySet())) {
            if (!tagged.contains(service)) {
                synchronized (watches) {
                    watches.remove(service).interrupt();
                    listener.serviceRemoved(service);
                }
                LOG.log(Level.INFO, "No longer routing service {0}: gone from Consul or untagged", service);
            }
        }
    }

    private void followService(String service) {
        long index = 0;
        int failures = 0;
        while (!closed && watches.get(service) == Thread.currentThread()) {
            try {
                Answer answer = query("/v1/health/service/" + service + "?passing=true", index);
                long previous = index;
                index = BlockingIndex.next(index, answer.index());
                failures = 0;
                if (answer.index() != previous) {
                    List<Instance> instances = instances(service, answer.body().asJsonArray());
                    deliver(new ServiceSnapshot(service, instances, answer.index(), Instant.now()));
                }
            } catch (IOException | RuntimeException e) {
                // After an outage the agent may be a new one with a younger index: ask afresh.
                index = 0;
                failures = failed(e, failures);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Under the same lock as removal, and only while this thread still watches the service: a
     * snapshot racing the service's removal must not bring it back into the table.
     */
    private void deliver(ServiceSnapshot snapshot) {
        synchronized (watches) {
            if (watches.get(snapshot.service()) == Thread.currentThread()) {
                listener.instancesChanged(snapshot);
            }
        }
    }

    /** The entries Consul lists for a service, without those the balancer cannot call (each warned about once). */
    private List<Instance> instances(String service, JsonArray entries) {
        List<Instance> instances = new ArrayList<>(entries.size());
        for (JsonValue entry : entries) {
            RegistryEntry.Reading reading = RegistryEntry.read(service, entry);
            if (reading.valid()) {
                instances.add(reading.instance());
            } else if (skipped.add(service + "/" + reading.id() + "/" + reading.problem())) {
                LOG.log(Level.WARNING, "Skipping instance {0} of service {1} in Consul: {2}",
                        new Object[] {reading.id(), service, reading.problem()});
            }
        }
        return instances;
    }

    private Answer query(String path, long index) throws IOException, InterruptedException {
        String separator = path.contains("?") ? "&" : "?";
        URI uri = consul.resolve(path + separator + "index=" + index + "&wait=" + wait.toSeconds() + "s");
        // Consul adds up to wait/16 of jitter to a blocking query.
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(wait.plus(wait.dividedBy(16)).plusSeconds(5));
        token.ifPresent(value -> request.header("X-Consul-Token", value));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("Consul answered " + response.statusCode() + " to " + path + ": " + response.body().strip());
        }
        long returnedIndex = response.headers().firstValueAsLong("X-Consul-Index").orElse(0);
        lastAnswer = Instant.now();
        if (lastError != null) {
            LOG.log(Level.INFO, "Consul at {0} answers again; following it", consul);
            lastError = null;
        }
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            return new Answer(returnedIndex, reader.read());
        }
    }

    /**
     * Logs the first failure of a streak, then waits with capped exponential backoff. An
     * unexpected error is logged in full and handled the same way: a watch never dies.
     */
    private int failed(Exception e, int failures) {
        if (closed) {
            return failures;
        }
        if (e instanceof RuntimeException) {
            LOG.log(Level.SEVERE, "Unexpected error while following Consul; retrying", e);
        }
        if (lastError == null) {
            LOG.log(Level.WARNING, "Cannot reach Consul at {0} ({1}); routing on the last known instances and retrying",
                    new Object[] {consul, String.valueOf(e)});
        }
        lastError = String.valueOf(e.getMessage() == null ? e : e.getMessage());
        long delayMillis = Math.min(maxRetryDelay.toMillis(), 250L << Math.min(failures, 16));
        try {
            Thread.sleep(delayMillis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return failures + 1;
    }

    private record Answer(long index, JsonStructure body) {
    }
}
