package dev.ruta.operations.arithmetic;

/**
 * A request the service cannot compute, with a stable machine-readable code and a sentence
 * a person understands. Subclasses say which kind, so the web layer can pick the status.
 */
public abstract class OperationException extends RuntimeException {

    private final String code;

    protected OperationException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
