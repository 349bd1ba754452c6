package dev.ruta.operations.api;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.time.Instant;

/** The answer to {@code GET /api/instance}. */
@JsonbPropertyOrder({"id", "service", "address", "port", "message", "startedAt", "served"})
public record InstanceDescription(String id, String service, String address, int port, String message,
                                  Instant startedAt, long served) {
}
