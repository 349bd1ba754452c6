package dev.ruta.balancer.proxy.error;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

@Provider
public class ProxyExceptionMapper implements ExceptionMapper<ProxyException> {

    /** Seconds a client should wait before asking again for a service with no instance. */
    static final String RETRY_AFTER_SECONDS = "1";

    @Override
    public Response toResponse(ProxyException exception) {
        Response.ResponseBuilder response = new ErrorBody(exception.code(), exception.getMessage())
                .toResponse(statusOf(exception));
        if (exception instanceof NoInstanceException) {
            response.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    static int statusOf(ProxyException exception) {
        if (exception instanceof UnknownServiceException) {
            return 404;
        }
        if (exception instanceof NoInstanceException) {
            return 503;
        }
        if (exception instanceof GatewayTimeoutException) {
            return 504;
        }
        if (exception instanceof BodyTooLargeException) {
            return 413;
        }
        if (exception instanceof BadGatewayException) {
            return 502;
        }
        return 400;
    }
}
