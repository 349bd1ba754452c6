package dev.ruta.balancer.error;

/** The service has no healthy instance right now. */
public final class NoInstanceException extends ProxyException {

    public NoInstanceException(String message) {
        super(503, "no-instance", message);
    }

    @Override
    public int retryAfterSeconds() {
        return 1;
    }
}
