package dev.ruta.balancer.error;

/** The instance did not answer in time. */
public final class GatewayTimeoutException extends ProxyException {

    public GatewayTimeoutException(String message) {
        super(504, "upstream-timeout", message);
    }
}
