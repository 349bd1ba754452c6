package dev.ruta.operations.api.error;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The body of every error: a stable code for programs and a sentence for people. */
@JsonbPropertyOrder({"error", "message"})
public record ErrorResponse(String error, String message) {

    public Response toResponse(int status) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(this).build();
    }
}
