package dev.ruta.operations.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ruta.operations.arithmetic.InvalidOperandException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonOperandsTest {

    @Test
    void keepsNumbersAsWritten() {
        JsonOperands operands = JsonOperands.parse("{\"a\": 0.10, \"b\": -3e2}");
        assertEquals("0.10", operands.text("a"));
        assertEquals("-3E+2", new java.math.BigDecimal(operands.text("b")).toString());
    }

    @Test
    void acceptsNumbersWrittenAsStrings() {
        assertEquals("2.5", JsonOperands.parse("{\"a\": \"2.5\"}").text("a"));
    }

    @Test
    void missingAndNullOperandsAreAbsent() {
        JsonOperands operands = JsonOperands.parse("{\"a\": null}");
        assertNull(operands.text("a"));
        assertNull(operands.text("b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "{\"a\":", "[1,2]", "42", "not json", "{\"a\":1}}"})
    void malformedBodiesAreRejected(String body) {
        InvalidOperandException error = assertThrows(InvalidOperandException.class, () -> JsonOperands.parse(body));
        assertEquals("malformed-json", error.code());
    }

    @Test
    void aValidBodyIsReadWhateverItsSizeUnderTheFiltersLimit() {
        String body = "{\"a\":1,\"b\":2}" + " ".repeat(60_000);
        assertEquals("1", JsonOperands.parse(body).text("a"));
    }

    @Test
    void nonNumericTypesAreInvalidOperands() {
        JsonOperands operands = JsonOperands.parse("{\"a\": true, \"b\": {\"x\": 1}}");
        assertEquals("invalid-operand", assertThrows(InvalidOperandException.class, () -> operands.text("a")).code());
        assertEquals("invalid-operand", assertThrows(InvalidOperandException.class, () -> operands.text("b")).code());
    }
}
