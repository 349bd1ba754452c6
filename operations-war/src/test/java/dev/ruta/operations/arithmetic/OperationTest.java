package dev.ruta.operations.arithmetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperationTest {

    private static BigDecimal apply(Operation operation, String a, String b) {
        return operation.apply(Operands.parse("a", a), Operands.parse("b", b));
    }

    @ParameterizedTest(name = "{0}({1}, {2}) = {3}")
    @CsvSource({
        "ADD, 0.1, 0.2, 0.3",
        "ADD, -5, 3, -2",
        "ADD, 99999999999999999999999999999999999999, 1, 100000000000000000000000000000000000000",
        "SUBTRACT, 0.3, 0.1, 0.2",
        "SUBTRACT, -1.5, -1.5, 0.0",
        "MULTIPLY, 1.1, 1.1, 1.21",
        "MULTIPLY, -4, 2.5, -10.0",
        "DIVIDE, 6, 3, 2",
        "DIVIDE, 1, 3, 0.3333333333333333333333333333333333",
        "DIVIDE, -2, 3, -0.6666666666666666666666666666666667",
        "MODULO, 7, 3, 1",
        "MODULO, -7, 3, -1",
        "MODULO, 7.5, 2, 1.5",
        "POWER, 2, 10, 1024",
        "POWER, 2, -2, 0.25",
        "POWER, 0.1, 3, 0.001",
        "POWER, 0, 0, 1",
        "POWER, -3, 3, -27",
        "POWER, 2, 3.0, 8",
    })
    void computesExactly(Operation operation, String a, String b, String expected) {
        assertEquals(new BigDecimal(expected), apply(operation, a, b));
    }

    @Test
    void divisionRoundsToThirtyFourSignificantDigits() {
        assertEquals(34, apply(Operation.DIVIDE, "2", "3").precision());
    }

    @Test
    void hugeOperandsStayExact() {
        String big = "9".repeat(1000);
        BigDecimal sum = apply(Operation.ADD, big, "1");
        assertEquals(BigDecimal.TEN.pow(1000), sum);
    }

    @ParameterizedTest
    @CsvSource({"DIVIDE, 1, 0", "DIVIDE, 0, 0.000", "MODULO, 5, 0", "POWER, 0, -1"})
    void zeroDivisorsAreRejected(Operation operation, String a, String b) {
        UndefinedResultException error = assertThrows(UndefinedResultException.class, () -> apply(operation, a, b));
        assertEquals("division-by-zero", error.code());
    }

    @Test
    void exponentBoundsAreInclusive() {
        assertEquals(BigDecimal.ONE, apply(Operation.POWER, "1", "999"));
        assertEquals(BigDecimal.ONE, apply(Operation.POWER, "1", "-999").stripTrailingZeros());
    }

    @ParameterizedTest
    @CsvSource({"1000", "-1000", "2.5", "1e3", "99999999999"})
    void exponentsOutOfRangeAreRejected(String exponent) {
        InvalidOperandException error = assertThrows(InvalidOperandException.class,
                () -> apply(Operation.POWER, "2", exponent));
        assertEquals("exponent-out-of-range", error.code());
    }

    @Test
    void powersTooLargeToReturnAreRejected() {
        UndefinedResultException error = assertThrows(UndefinedResultException.class,
                () -> apply(Operation.POWER, "9".repeat(1000), "999"));
        assertEquals("result-too-large", error.code());
    }

    /** The limit bounds the work of an exact result, its significant digits, not how large the number is. */
    @Test
    void aHugePowerWithFewDigitsIsComputedExactly() {
        assertEquals(new java.math.BigDecimal("1E+998001"), apply(Operation.POWER, "1e999", "999"));
    }

    @Test
    void operationsAreFoundByTheirLowerCaseName() {
        assertEquals(Operation.MODULO, Operation.named("modulo"));
        assertEquals("%", Operation.named("modulo").symbol());
        UnknownOperationException error = assertThrows(UnknownOperationException.class, () -> Operation.named("ADD"));
        assertEquals("unknown-operation", error.code());
        assertThrows(UnknownOperationException.class, () -> Operation.named("sqrt"));
    }
}
