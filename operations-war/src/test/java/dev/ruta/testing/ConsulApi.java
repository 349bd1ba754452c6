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

    /** Registers a service in the agent, as a service would itself (JSON as in PUT /v1/agent/service/register). */
    public void register(String serviceJson) {
        HttpReply reply = TestHttp.put(base.resolve("/v1/agent/service/register"), serviceJson);
        if (reply.status() != 200) {
            throw new IllegalStateException("Consul refused the registration: " + reply.status() + " " + reply.body());
        }
    }

    public void deregister(String serviceId) {
        TestHttp.put(base.resolve("/v1/agent/service/deregister/" + serviceId), "");
    }

    /** The index Consul is at for a service's health, as a blocking query would see it. */
    public long healthIndex(String service) {
        return Long.parseLong(TestHttp.get(base.resolve("/v1/health/service/" + service)).header("X-Consul-Index"));
    }

    /** Every instance the catalog holds, passing or not. */
    public List<JsonObject> registered(String service) {
        HttpReply reply = TestHttp.get(base.resolve("/v1/health/service/" + service));
        return reply.jsonArray().stream().map(entry -> entry.asJsonObject().getJsonObject("Service")).toList();
    }
}
