package dev.ruta.balancer.discovery;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonNumber;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Consul's checks, read into each registration's state as Consul's own {@code passing} filter
 * sees it: the worst of the registration's checks and its node's. A registration without checks
 * is passing, as in Consul. The checks also say which registrations each service has (node, ID
 * and when each check was created), so a registration that joins, leaves or is made anew shows
 * as a change of its service without reading the catalog.
 */
final class HealthStates {

    /** Consul's check states, best first; anything else it might say counts as critical. */
    enum State {
        PASSING, WARNING, CRITICAL;

        static State of(String status) {
            return switch (status) {
                case "passing" -> PASSING;
                case "warning" -> WARNING;
                default -> CRITICAL;
            };
        }

        State worst(State other) {
            return compareTo(other) >= 0 ? this : other;
        }
    }

    private final Map<String, State> nodes;
    private final Map<String, State> registrations;
    /** Per service, each of its checks as node, registration ID and the index it was created at. */
    private final Map<String, Set<String>> checksByService;

    private HealthStates(Map<String, State> nodes, Map<String, State> registrations, Map<String, Set<String>> checksByService) {
        this.nodes = nodes;
        this.registrations = registrations;
        this.checksByService = checksByService;
    }

    /** Reads an answer of {@code /v1/health/state/any}; entries that are not checks are passed over. */
    static HealthStates read(JsonValue checks) {
        Map<String, State> nodes = new HashMap<>();
        Map<String, State> registrations = new HashMap<>();
        Map<String, Set<String>> checksByService = new HashMap<>();
        if (checks.getValueType() == JsonValue.ValueType.ARRAY) {
            for (JsonValue value : checks.asJsonArray()) {
                if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                    continue;
                }
                JsonObject check = value.asJsonObject();
                String node = string(check, "Node");
                if (node == null) {
                    continue;
                }
                State state = State.of(String.valueOf(string(check, "Status")));
                String serviceId = string(check, "ServiceID");
                if (serviceId == null || serviceId.isEmpty()) {
                    nodes.merge(node, state, State::worst);
                } else {
                    registrations.merge(key(node, serviceId), state, State::worst);
                    String created = check.get("CreateIndex") instanceof JsonNumber index ? index.toString() : "";
                    checksByService.computeIfAbsent(String.valueOf(string(check, "ServiceName")), service -> new HashSet<>())
                            .add(key(node, serviceId) + '\u0000' + created);
                }
            }
        }
        return new HealthStates(nodes, registrations, checksByService);
    }

    /** No checks yet: before Consul's first answer. */
    static HealthStates none() {
        return new HealthStates(Map.of(), Map.of(), Map.of());
    }

    /**
     * The services whose checked registrations differ from {@code before}'s: one joined, left or
     * was registered anew. A change of state alone is not one; {@link #of} tells it.
     */
    Set<String> servicesChangedSince(HealthStates before) {
        Set<String> changed = new HashSet<>();
        for (Map.Entry<String, Set<String>> service : checksByService.entrySet()) {
            if (!service.getValue().equals(before.checksByService.get(service.getKey()))) {
                changed.add(service.getKey());
            }
        }
        for (String service : before.checksByService.keySet()) {
            if (!checksByService.containsKey(service)) {
                changed.add(service);
            }
        }
        return changed;
    }

    /** The services of {@code entries} with a registration that has no check of its own: its changes show only in the catalog. */
    Set<String> servicesWithUncheckedRegistrations(Collection<CatalogEntry> entries) {
        Set<String> unchecked = new HashSet<>();
        for (CatalogEntry entry : entries) {
            if (!registrations.containsKey(key(entry.node(), entry.instance().id()))) {
                unchecked.add(entry.instance().service());
            }
        }
        return unchecked;
    }

    State of(String node, String serviceId) {
        return nodes.getOrDefault(node, State.PASSING).worst(registrations.getOrDefault(key(node, serviceId), State.PASSING));
    }

    /**
     * Every service with a registration in {@code entries}, with its routable instances: the
     * passing ones at their passing weight and, if {@code routeWarning}, those warning at their
     * warning weight, as Consul's DNS interface does (a warning weight of 0 routes nothing). A
     * service none of whose instances is routable stays, and answers that it has no instance.
     */
    Map<String, List<Instance>> routable(Collection<CatalogEntry> entries, boolean routeWarning) {
        Map<String, List<Instance>> services = new LinkedHashMap<>();
        for (CatalogEntry entry : entries) {
            List<Instance> instances = services.computeIfAbsent(entry.instance().service(), service -> new ArrayList<>());
            State state = of(entry.node(), entry.instance().id());
            if (state == State.PASSING) {
                instances.add(entry.instance());
            } else if (state == State.WARNING && routeWarning && entry.weights().warning() > 0) {
                instances.add(entry.instance().withWeight(entry.weights().warning()));
            }
        }
        return services;
    }

    private static String key(String node, String serviceId) {
        return node + '\u0000' + serviceId;
    }

    private static String string(JsonObject parent, String name) {
        return parent.get(name) instanceof JsonString text ? text.getString() : null;
    }
}
