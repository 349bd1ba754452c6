package dev.ruta.balancer.error;

/** A request header the balancer cannot forward as it is, such as a Content-Type that does not parse. */
public final class InvalidHeaderException extends ProxyException {

    public InvalidHeaderException(String message) {
        super(400, "invalid-header", message);
    }
}
