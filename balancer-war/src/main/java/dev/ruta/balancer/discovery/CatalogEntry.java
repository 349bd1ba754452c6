package dev.ruta.balancer.discovery;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * One tagged registration in Consul's catalog, the node it is on (the node, with the
 * registration's ID, is what Consul's checks name it by) and its weights.
 */
record CatalogEntry(String node, Instance instance, Weights weights) {

    /** Why an entry of the catalog is not routed, or not as it says, for the caller to report once. */
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
                String what = "instance " + reading.id() + " of service " + service;
                Weights weights = Weights.read(registration.asJsonObject().get("Weights"), odd -> skipped.skip(what, odd));
                entries.add(new CatalogEntry(nodeName.getString(), reading.instance().withWeight(weights.passing()), weights));
            } else {
                skipped.skip("instance " + reading.id() + " of service " + service, reading.problem());
            }
        }
        return entries;
    }
}
