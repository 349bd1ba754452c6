package dev.ruta.balancer.proxy.error;

/** The balancer already has balancer.max-in-flight requests in flight: refused rather than queued. */
public final class OverloadedException extends ProxyException {

    public OverloadedException(String message) {
        super(503, "overloaded", message);
    }

    @Override
    public int retryAfterSeconds() {
        return 1;
    }
}
