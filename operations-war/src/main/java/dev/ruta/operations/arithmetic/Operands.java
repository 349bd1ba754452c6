package dev.ruta.operations.arithmetic;

import java.math.BigDecimal;

/**
 * Turns operand text into exact decimals. The limits keep every operation's cost bounded:
 * without the scale limit, "1e999999999" (11 characters) would make {@code add} build a
 * billion-digit number.
 */
public final class Operands {

    public static final int MAX_LENGTH = 1000;
    public static final int MAX_SCALE = 1000;

    private Operands() {
    }

    public static BigDecimal parse(String name, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidOperandException("missing-operand",
                    "Operand '" + name + "' is missing: give it a number, e.g. " + name + "=2.5.");
        }
        String trimmed = text.strip();
        if (trimmed.length() > MAX_LENGTH) {
            throw new InvalidOperandException("operand-too-long",
                    "Operand '" + name + "' has " + trimmed.length() + " characters; the limit is " + MAX_LENGTH + ".");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(trimmed);
        } catch (NumberFormatException e) {
            throw new InvalidOperandException("invalid-operand",
                    "Operand '" + name + "' is not a number: '" + shorten(trimmed) + "'.");
        }
        if (Math.abs((long) value.scale()) > MAX_SCALE) {
            throw new InvalidOperandException("operand-out-of-range",
                    "Operand '" + name + "' is out of range: its decimal exponent must stay within ±" + MAX_SCALE + ".");
        }
        return value;
    }

    static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
