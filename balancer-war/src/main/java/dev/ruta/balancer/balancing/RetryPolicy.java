package dev.ruta.balancer.balancing;

import java.util.Locale;
import java.util.Set;

/**
 * Whether a failed attempt may be repeated on another instance. Idempotent methods may be
 * sent twice; POST and PATCH only when the first instance certainly never received them.
 * A read timeout is never retried: the instance is working on it, and a second one would
 * double the load that made it slow.
 */
public final class RetryPolicy {

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    private final int retries;

    public RetryPolicy(int retries) {
        this.retries = retries;
    }

    /** @param attemptsMade how many attempts this request has had, the failed one included */
    public boolean mayRetry(String method, Failure failure, int attemptsMade) {
        if (attemptsMade > retries) {
            return false;
        }
        return switch (failure) {
            case CONNECTION_REFUSED -> true;
            case CONNECT_TIMEOUT, RESET_BEFORE_RESPONSE, MALFORMED_ANSWER, UNAVAILABLE_STATUS -> isIdempotent(method);
            case READ_TIMEOUT -> false;
        };
    }

    /** Whether the instance should leave the rotation for a while. */
    public static boolean ejects(Failure failure) {
        return failure != Failure.READ_TIMEOUT;
    }

    public static boolean isIdempotent(String method) {
        return IDEMPOTENT.contains(method.toUpperCase(Locale.ROOT));
    }
}
