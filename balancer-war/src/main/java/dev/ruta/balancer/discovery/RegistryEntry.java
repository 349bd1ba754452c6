package dev.ruta.balancer.discovery;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.regex.Pattern;

/**
 * Reads one service registration of Consul's catalog, with the node it is on, into an
 * {@link Instance}, or says what is wrong with it. Anyone who can write to the registry can write anything there; an entry the
 * balancer cannot call is skipped, never allowed to stop the others being followed.
 */
final class RegistryEntry {

    /** An IPv4 or IPv6 literal, or a DNS name (RFC 1123 labels). */
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern ID = Pattern.compile("[\\x21-\\x7E]{1,256}");
    private static final int MAX_MESSAGE = 500;

    /** What was read: the instance, or why there is none. */
    record Reading(Instance instance, String id, String problem) {
        boolean valid() {
            return instance != null;
        }
    }

    private RegistryEntry() {
    }

    static Reading read(String service, JsonValue value, JsonObject node) {
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            return invalid("?", "not an object");
        }
        JsonObject registration = value.asJsonObject();
        String id = string(registration, "ID");
        if (id == null || !ID.matcher(id).matches()) {
            return invalid(String.valueOf(id), "its ID is missing or not printable");
        }
        JsonValue given = registration.get("Address");
        if (given != null && given.getValueType() != JsonValue.ValueType.STRING && given != JsonValue.NULL) {
            return invalid(id, "address " + given + " is not an IP address or host name");
        }
        String address = string(registration, "Address");
        if (address == null || address.isBlank()) {
            // Consul's rule: a service without an address of its own is reached at its node's.
            address = node == null ? null : string(node, "Address");
        }
        if (address == null || !isAddress(address)) {
            return invalid(id, "address '" + address + "' is not an IP address or host name");
        }
        JsonValue port = registration.get("Port");
        if (!(port instanceof JsonNumber number) || !number.isIntegral()
                || number.longValue() < 1 || number.longValue() > 65535) {
            return invalid(id, "port " + port + " is not within 1-65535");
        }
        JsonObject meta = object(registration, "Meta");
        String message = meta == null ? null : string(meta, "message");
        message = message == null ? "" : message.substring(0, Math.min(message.length(), MAX_MESSAGE));
        return new Reading(new Instance(id, service, address, number.intValue(), message, 1), id, null);
    }

    static boolean isAddress(String address) {
        return IPV4.matcher(address).matches() || HOST_NAME.matcher(address).matches()
                || (address.contains(":") && IPV6.matcher(address).matches());
    }

    private static Reading invalid(String id, String problem) {
        return new Reading(null, id, problem);
    }

    /** The member {@code name} when it is a JSON object; null when absent or of another type. */
    static JsonObject object(JsonObject parent, String name) {
        JsonValue value = parent.get(name);
        return value != null && value.getValueType() == JsonValue.ValueType.OBJECT ? value.asJsonObject() : null;
    }

    private static String string(JsonObject parent, String name) {
        return parent.get(name) instanceof JsonString text ? text.getString() : null;
    }
}
