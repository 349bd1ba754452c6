package dev.ruta.balancer.error;

import jakarta.json.Json;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The body of every error the balancer itself answers: {@code {"error":..,"message":..}}. */
@JsonbPropertyOrder({"error", "message"})
public record ErrorBody(String error, String message) {

    public Response.ResponseBuilder toResponse(int status) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(this);
    }

    /** For the forwarding servlet, which answers without JAX-RS. */
    public static void write(HttpServletResponse response, ProxyException exception) throws IOException {
        response.setStatus(exception.status());
        if (exception.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", Integer.toString(exception.retryAfterSeconds()));
        }
        byte[] json = Json.createObjectBuilder().add("error", exception.code()).add("message", exception.getMessage())
                .build().toString().getBytes(StandardCharsets.UTF_8);
        response.setContentType(MediaType.APPLICATION_JSON);
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }
}
