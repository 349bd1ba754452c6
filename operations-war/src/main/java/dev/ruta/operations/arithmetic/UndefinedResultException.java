package dev.ruta.operations.arithmetic;

/** Valid operands whose result is undefined (division by zero) or too large to return. */
public final class UndefinedResultException extends OperationException {

    public UndefinedResultException(String code, String message) {
        super(code, message);
    }
}
