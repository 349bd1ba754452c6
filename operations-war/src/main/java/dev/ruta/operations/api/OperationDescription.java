package dev.ruta.operations.api;

import dev.ruta.operations.arithmetic.Operation;

/** One entry of {@code GET /api/operations}. */
public record OperationDescription(String name, String symbol) {

    static OperationDescription of(Operation operation) {
        return new OperationDescription(operation.externalName(), operation.symbol());
    }
}
