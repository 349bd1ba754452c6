package dev.ruta.balancer.discovery;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Consul's checks, read into each registration's state as Consul's own {@code passing} filter
 * sees it: the worst of the registration's checks and its node's. A registration without checks
 * is passing, as in Consul.
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

    private HealthStates(Map<String, State> nodes, Map<String, State> registrations) {
        this.nodes = nodes;
        this.registrations = registrations;
    }

    /** Reads an answer of {@code /v1/health/state/any}; entries that are not checks are passed over. */
    static HealthStates read(JsonValue checks) {
        Map<String, State> nodes = new HashMap<>();
        Map<String, State> registrations = new HashMap<>();
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
                }
            }
        }
        return new HealthStates(nodes, registrations);
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
    Map<String, List<Instance>> routable(List<CatalogEntry> entries, boolean routeWarning) {
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
