package dev.ruta.balancer.proxy;

import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** An instance's answer, read whole, with the instance that gave it. */
public record Relayed(int status, Map<String, List<String>> headers, byte[] body, String instanceId) {

    public static final String INSTANCE_HEADER = "X-Ruta-Instance";

    static Relayed of(Response response, String instanceId) {
        byte[] body = response.hasEntity() ? response.readEntity(byte[].class) : new byte[0];
        return new Relayed(response.getStatus(), HeaderRules.endToEnd(response.getStringHeaders()), body, instanceId);
    }

    Response toResponse() {
        Response.ResponseBuilder response = Response.status(status).entity(body.length == 0 ? null : body);
        headers.forEach((name, values) -> values.forEach(value -> response.header(name, value)));
        return response.header(INSTANCE_HEADER, instanceId).build();
    }
}
