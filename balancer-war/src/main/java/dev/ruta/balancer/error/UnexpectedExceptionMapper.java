package dev.ruta.balancer.error;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A bug, not bad input: logged in full, answered without internals. */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class.getName());

    @Override
    public Response toResponse(Throwable exception) {
        LOG.log(Level.SEVERE, "Unexpected failure while forwarding a request", exception);
        return new ErrorBody("internal-error", "Something went wrong in the balancer; the error is in its log.")
                .toResponse(500).build();
    }
}
