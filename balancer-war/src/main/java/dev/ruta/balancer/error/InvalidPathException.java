package dev.ruta.balancer.error;

/** The path cannot be forwarded. */
public final class InvalidPathException extends ProxyException {

    public InvalidPathException(String message) {
        super(400, "invalid-path", message);
    }
}
