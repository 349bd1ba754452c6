package dev.ruta.operations.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ruta.operations.arithmetic.InvalidOperandException;
import dev.ruta.operations.arithmetic.UndefinedResultException;
import dev.ruta.operations.arithmetic.UnknownOperationException;
import org.junit.jupiter.api.Test;

class OperationExceptionMapperTest {

    @Test
    void unknownOperationsAreNotFound() {
        assertEquals(404, OperationExceptionMapper.statusOf(new UnknownOperationException("sqrt")));
    }

    @Test
    void badOperandsAndUndefinedResultsAreTheClientsMistake() {
        assertEquals(400, OperationExceptionMapper.statusOf(new InvalidOperandException("invalid-operand", "x")));
        assertEquals(400, OperationExceptionMapper.statusOf(new UndefinedResultException("division-by-zero", "x")));
    }
}
