package dev.ruta.balancer.error;

/** A method the balancer does not forward (TRACE, CONNECT, or one it does not know). */
public final class MethodNotAllowedException extends ProxyException {

    public MethodNotAllowedException(String message) {
        super(405, "method-not-allowed", message);
    }
}
