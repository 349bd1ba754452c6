package dev.ruta.operations.api.error;

import dev.ruta.operations.arithmetic.OperationException;
import dev.ruta.operations.arithmetic.UnknownOperationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Unknown operation: 404, as for any missing resource. Every other operation error is the client's: 400. */
@Provider
public class OperationExceptionMapper implements ExceptionMapper<OperationException> {

    @Override
    public Response toResponse(OperationException exception) {
        return new ErrorResponse(exception.code(), exception.getMessage()).toResponse(statusOf(exception));
    }

    static int statusOf(OperationException exception) {
        return exception instanceof UnknownOperationException ? 404 : 400;
    }
}
