package dev.ruta.balancer.error;

/**
 * A request the balancer cannot forward, with its HTTP status, a stable code and a sentence for
 * people. No stack trace: these are answers, not bugs, and some come with every hostile request.
 */
public abstract class ProxyException extends RuntimeException {

    private final int status;
    private final String code;

    protected ProxyException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds after which asking again may succeed, for a Retry-After header; 0 for none. */
    public int retryAfterSeconds() {
        return 0;
    }
}
