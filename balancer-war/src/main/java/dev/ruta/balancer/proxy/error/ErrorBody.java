package dev.ruta.balancer.proxy.error;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The body of every error the balancer itself answers. */
@JsonbPropertyOrder({"error", "message"})
public record ErrorBody(String error, String message) {

    public Response.ResponseBuilder toResponse(int status) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(this);
    }
}
