package dev.ruta.balancer.error;

/** The client did not send its whole request body within balancer.body-timeout. */
public final class BodyTimeoutException extends ProxyException {

    public BodyTimeoutException(String message) {
        super(408, "body-timeout", message);
    }
}
