package dev.ruta.operations.arithmetic;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The operations the service computes, all in exact decimal arithmetic except where noted. */
public enum Operation {

    ADD("+") {
        @Override
        public BigDecimal apply(BigDecimal a, BigDecimal b) {
            return a.add(b);
        }
    },
    SUBTRACT("-") {
        @Override
        public BigDecimal apply(BigDecimal a, BigDecimal b) {
            return a.subtract(b);
        }
    },
    MULTIPLY("*") {
        @Override
        public BigDecimal apply(BigDecimal a, BigDecimal b) {
            return a.multiply(b);
        }
    },
    /** Rounded to 34 significant digits (IEEE 754 decimal128): most quotients do not terminate. */
    DIVIDE("/") {
        @Override
        public BigDecimal apply(BigDecimal a, BigDecimal b) {
            requireNonZeroDivisor(b);
            return a.divide(b, MathContext.DECIMAL128);
        }
    },
    /** The remainder of truncating division: its sign follows {@code a}, as in Java and C. */
    MODULO("%") {
        @Override
        public BigDecimal apply(BigDecimal a, BigDecimal b) {
            requireNonZeroDivisor(b);
            return a.remainder(b);
        }
    },
    /** Exact for exponents >= 0; negative exponents divide, so they round like {@link #DIVIDE}. */
    POWER("^") {
        @Override
        public BigDecimal apply(BigDecimal a, BigDecimal b) {
            int exponent = integerExponent(b);
            if (exponent >= 0) {
                long digits = (long) a.precision() * exponent;
                if (digits > MAX_RESULT_DIGITS) {
                    throw new UndefinedResultException("result-too-large", "The result would have about " + digits
                            + " digits; the limit is " + MAX_RESULT_DIGITS + ".");
                }
                return a.pow(exponent);
            }
            if (a.signum() == 0) {
                throw new UndefinedResultException("division-by-zero",
                        "Zero raised to a negative exponent divides by zero.");
            }
            return a.pow(exponent, MathContext.DECIMAL128);
        }
    };

    public static final int MAX_EXPONENT = 999;
    /** Bounds the cost of {@code power}: a 1000-digit base to the 999th would have a million digits. */
    public static final int MAX_RESULT_DIGITS = 100_000;

    private final String symbol;

    Operation(String symbol) {
        this.symbol = symbol;
    }

    public abstract BigDecimal apply(BigDecimal a, BigDecimal b);

    public String symbol() {
        return symbol;
    }

    /** The name used in URLs and JSON: lower case. */
    public String externalName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Operation named(String name) {
        for (Operation operation : values()) {
            if (operation.externalName().equals(name)) {
                return operation;
            }
        }
        throw new UnknownOperationException(name == null ? "" : name);
    }

    static String names() {
        return Arrays.stream(values()).map(Operation::externalName).collect(Collectors.joining(", "));
    }

    private static void requireNonZeroDivisor(BigDecimal divisor) {
        if (divisor.signum() == 0) {
            throw new UndefinedResultException("division-by-zero", "Cannot divide by zero: b must not be 0.");
        }
    }

    private static int integerExponent(BigDecimal b) {
        BigDecimal exponent = b.stripTrailingZeros();
        if (exponent.scale() > 0) {
            throw new InvalidOperandException("exponent-out-of-range",
                    "The exponent b must be a whole number between -" + MAX_EXPONENT + " and " + MAX_EXPONENT + ".");
        }
        if (exponent.abs().compareTo(BigDecimal.valueOf(MAX_EXPONENT)) > 0) {
            throw new InvalidOperandException("exponent-out-of-range",
                    "The exponent b must be between -" + MAX_EXPONENT + " and " + MAX_EXPONENT + ", not " + Operands.shorten(b.toString()) + ".");
        }
        return exponent.intValueExact();
    }
}
