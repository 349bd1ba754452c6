package dev.ruta.operations.api.error;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A bug, not bad input: logged in full here, shown to the client without internals. */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class.getName());

    @Override
    public Response toResponse(Throwable exception) {
        LOG.log(Level.SEVERE, "Unexpected failure while serving a request", exception);
        return new ErrorResponse("internal-error", "Something went wrong on this instance; the error is in its log.")
                .toResponse(Response.Status.INTERNAL_SERVER_ERROR.getStatusCode());
    }
}
