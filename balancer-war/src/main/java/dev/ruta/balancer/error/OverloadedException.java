package dev.ruta.balancer.error;

/** The balancer is at one of its limits (requests in flight, event subscribers): refused rather than queued. */
public final class OverloadedException extends ProxyException {

    private final int retryAfterSeconds;

    public OverloadedException(String message) {
        this(message, 1);
    }

    public OverloadedException(String message, int retryAfterSeconds) {
        super(503, "overloaded", message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
