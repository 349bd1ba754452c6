package dev.ruta.operations.api;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.math.BigDecimal;

/** The answer to one operation, naming the instance that computed it. */
@JsonbPropertyOrder({"operation", "a", "b", "result", "instance"})
public record OperationResult(String operation, BigDecimal a, BigDecimal b, BigDecimal result, String instance) {
}
