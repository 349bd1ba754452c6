package dev.ruta.balancer.discovery;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * One tagged registration in Consul's catalog and the node it is on; the node, with the
 * registration's ID, is what Consul's checks name it by.
 */
record CatalogEntry(String node, Instance instance) {

    /** Why an entry of the catalog is not routed, for the caller to report once. */
    interface Skipped {
        void skip(String what, String problem);
    }

    /**
     * The routable registrations in an answer of {@code /v1/catalog/node-services/<node>}
     * (null when the node has left since it was listed).
     */
    static List<CatalogEntry> read(JsonValue answer, Skipped skipped) {
        if (answer.getValueType() != JsonValue.ValueType.OBJECT) {
            return List.of();
        }
        JsonObject nodeServices = answer.asJsonObject();
        JsonValue node = nodeServices.get("Node");
        JsonValue services = nodeServices.get("Services");
        if (node == null || node.getValueType() != JsonValue.ValueType.OBJECT
                || !(node.asJsonObject().get("Node") instanceof JsonString nodeName)
                || services == null || services.getValueType() != JsonValue.ValueType.ARRAY) {
            return List.of();
        }
        List<CatalogEntry> entries = new ArrayList<>(services.asJsonArray().size());
        for (JsonValue registration : services.asJsonArray()) {
            String service = registration.getValueType() == JsonValue.ValueType.OBJECT
                    && registration.asJsonObject().get("Service") instanceof JsonString name ? name.getString() : "?";
            // The name goes into the client's path /api/<service>/: one such as "../x" would mean something else there.
            if (!ServiceName.isValid(service)) {
                skipped.skip("service " + service, "not a name such as operations or web-2");
                continue;
            }
            RegistryEntry.Reading reading = RegistryEntry.read(service, registration, node.asJsonObject());
            if (reading.valid()) {
                entries.add(new CatalogEntry(nodeName.getString(), reading.instance()));
            } else {
                skipped.skip("instance " + reading.id() + " of service " + service, reading.problem());
            }
        }
        return entries;
    }
}
