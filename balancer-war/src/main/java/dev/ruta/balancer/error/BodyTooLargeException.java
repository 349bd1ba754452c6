package dev.ruta.balancer.error;

/** The request body is larger than the balancer accepts. */
public final class BodyTooLargeException extends ProxyException {

    public BodyTooLargeException(String message) {
        super(413, "body-too-large", message);
    }
}
