package dev.ruta.balancer.proxy.error;

/** A request the balancer cannot forward, with a stable code and a sentence for people. */
public abstract class ProxyException extends RuntimeException {

    private final String code;

    protected ProxyException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
