package dev.ruta.operations.arithmetic;

/** A name that is not one of {@link Operation}'s. */
public final class UnknownOperationException extends OperationException {

    public UnknownOperationException(String name) {
        super("unknown-operation", "There is no operation called '" + Operands.shorten(name)
                + "'. Supported: " + Operation.names() + ".");
    }
}
