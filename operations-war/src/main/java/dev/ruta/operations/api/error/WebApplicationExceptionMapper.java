package dev.ruta.operations.api.error;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** JAX-RS's own errors (no such path, wrong method, …) keep their status but speak JSON. */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException exception) {
        Response original = exception.getResponse();
        int status = original.getStatus();
        Response response = new ErrorResponse(code(exception, status), message(exception, status)).toResponse(status);
        copyHeader(original, response, HttpHeaders.ALLOW);
        copyHeader(original, response, HttpHeaders.RETRY_AFTER);
        return response;
    }

    private static String code(WebApplicationException exception, int status) {
        if (exception instanceof NotFoundException) {
            return "not-found";
        }
        if (exception instanceof NotAllowedException) {
            return "method-not-allowed";
        }
        if (exception instanceof BodyTooLargeException) {
            return "body-too-large";
        }
        return Response.Status.Family.familyOf(status) == Response.Status.Family.SERVER_ERROR ? "unavailable" : "bad-request";
    }

    private static String message(WebApplicationException exception, int status) {
        if (exception instanceof NotFoundException) {
            return "There is nothing at this path. Try GET /api/operations.";
        }
        if (exception instanceof NotAllowedException) {
            return "This method is not allowed here; allowed: " + exception.getResponse().getAllowedMethods() + ".";
        }
        if (exception instanceof BodyTooLargeException) {
            return exception.getMessage();
        }
        Response.StatusType reason = Response.Status.fromStatusCode(status);
        return reason == null ? "The request could not be served." : reason.getReasonPhrase() + ".";
    }

    private static void copyHeader(Response from, Response to, String name) {
        Object value = from.getHeaders().getFirst(name);
        if (value != null) {
            to.getHeaders().putSingle(name, value);
        }
    }
}
