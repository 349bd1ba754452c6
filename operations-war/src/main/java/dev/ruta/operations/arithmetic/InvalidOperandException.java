package dev.ruta.operations.arithmetic;

/** An operand that is missing, not a number, too long or too large to compute with. */
public final class InvalidOperandException extends OperationException {

    public InvalidOperandException(String code, String message) {
        super(code, message);
    }
}
