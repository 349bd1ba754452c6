package dev.ruta.balancer.error;

/** No service of that name is routed: it is not in Consul, or lacks the routing tag. */
public final class UnknownServiceException extends ProxyException {

    public UnknownServiceException(String message) {
        super(404, "unknown-service", message);
    }
}
