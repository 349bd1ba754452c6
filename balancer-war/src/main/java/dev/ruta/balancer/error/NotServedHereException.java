package dev.ruta.balancer.error;

/** A path this port does not serve: traffic and the admin surface each have their own. */
public final class NotServedHereException extends ProxyException {

    public NotServedHereException(String message) {
        super(404, "not-found", message);
    }
}
