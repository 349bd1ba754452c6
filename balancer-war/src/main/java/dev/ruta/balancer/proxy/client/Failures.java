package dev.ruta.balancer.proxy.client;

import dev.ruta.balancer.balancing.Failure;
import dev.ruta.balancer.proxy.transport.ConnectTimeoutException;
import dev.ruta.balancer.proxy.transport.MalformedAnswerException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/** Reads which {@link Failure} a REST client exception was, from its cause chain. */
public final class Failures {

    private Failures() {
    }

    public static Failure classify(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectTimeoutException) {
                return Failure.CONNECT_TIMEOUT;
            }
            if (cause instanceof SocketTimeoutException) {
                return Failure.READ_TIMEOUT;
            }
            if (cause instanceof ConnectException) {
                return Failure.CONNECTION_REFUSED;
            }
            if (cause instanceof TimeoutException) {
                return Failure.READ_TIMEOUT;
            }
            if (cause instanceof MalformedAnswerException) {
                return Failure.MALFORMED_ANSWER;
            }
        }
        return Failure.RESET_BEFORE_RESPONSE;
    }

    /** The balancer itself had no room for the exchange: not the instance's failure. */
    public static boolean isOverload(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof RejectedExecutionException) {
                return true;
            }
        }
        return false;
    }

    /** The exception a failed future carries, without the wrappers futures put around it. */
    public static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    public static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }
}
