package dev.ruta.balancer.error;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** JAX-RS's own errors (no such path, wrong method) keep their status and speak JSON. */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException exception) {
        if (exception.getResponse().getEntity() instanceof ErrorBody) {
            return exception.getResponse();
        }
        int status = exception.getResponse().getStatus();
        Response.StatusType reason = Response.Status.fromStatusCode(status);
        String phrase = reason == null ? "Error" : reason.getReasonPhrase();
        return new ErrorBody(phrase.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'), phrase + ".")
                .toResponse(status).build();
    }
}
