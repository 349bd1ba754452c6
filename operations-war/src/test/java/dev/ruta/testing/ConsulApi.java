package dev.ruta.testing;

import jakarta.json.JsonObject;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** The few Consul HTTP API calls tests make to see what the registry holds. */
public final class ConsulApi {

    private final URI base;

    public ConsulApi(URI base) {
        this.base = base;
    }

    public boolean hasLeader() {
        try {
            HttpReply reply = TestHttp.get(base.resolve("/v1/status/leader"));
            return reply.status() == 200 && reply.body().length() > 2;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** The "Service" objects of the passing instances of a service. */
    public List<JsonObject> passing(String service) {
        HttpReply reply = TestHttp.get(base.resolve("/v1/health/service/" + service + "?passing"));
        return reply.jsonArray().stream().map(entry -> entry.asJsonObject().getJsonObject("Service")).toList();
    }

    public Optional<JsonObject> passingInstance(String service, String id) {
        return passing(service).stream().filter(instance -> id.equals(instance.getString("ID"))).findFirst();
    }

    /** Every instance the catalog holds, passing or not. */
    public List<JsonObject> registered(String service) {
        HttpReply reply = TestHttp.get(base.resolve("/v1/health/service/" + service));
        return reply.jsonArray().stream().map(entry -> entry.asJsonObject().getJsonObject("Service")).toList();
    }
}
