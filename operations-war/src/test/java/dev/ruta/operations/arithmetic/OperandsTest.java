package dev.ruta.operations.arithmetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class OperandsTest {

    @Test
    void keepsTheExactDecimal() {
        assertEquals(new BigDecimal("0.10"), Operands.parse("a", " 0.10 "));
        assertEquals(new BigDecimal("-2.5E+3"), Operands.parse("a", "-2.5e3"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void missingOperandsNameTheOperand(String text) {
        InvalidOperandException error = assertThrows(InvalidOperandException.class, () -> Operands.parse("b", text));
        assertEquals("missing-operand", error.code());
        assertTrue(error.getMessage().contains("'b'"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1,5", "0x10", "NaN", "Infinity", "1..2", "--1", "1e"})
    void nonNumbersAreRejected(String text) {
        InvalidOperandException error = assertThrows(InvalidOperandException.class, () -> Operands.parse("a", text));
        assertEquals("invalid-operand", error.code());
    }

    @Test
    void operandsLongerThanTheLimitAreRejected() {
        assertEquals(1000, Operands.parse("a", "1".repeat(1000)).precision());
        InvalidOperandException error = assertThrows(InvalidOperandException.class,
                () -> Operands.parse("a", "1".repeat(1001)));
        assertEquals("operand-too-long", error.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999999999", "1e-1001", "1E+1001"})
    void shortOperandsWithHugeExponentsAreRejected(String text) {
        InvalidOperandException error = assertThrows(InvalidOperandException.class, () -> Operands.parse("a", text));
        assertEquals("operand-out-of-range", error.code());
    }

    @Test
    void longGarbageIsShortenedInTheMessage() {
        String garbage = "x".repeat(500);
        InvalidOperandException error = assertThrows(InvalidOperandException.class, () -> Operands.parse("a", garbage));
        assertTrue(error.getMessage().length() < 120, error.getMessage());
    }
}
