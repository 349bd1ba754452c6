package dev.ruta.balancer.error;

/** No instance could answer the request. */
public final class BadGatewayException extends ProxyException {

    public BadGatewayException(String message) {
        super(502, "bad-gateway", message);
    }
}
