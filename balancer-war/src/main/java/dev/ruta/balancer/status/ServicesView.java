package dev.ruta.balancer.status;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.time.Instant;
import java.util.List;

/** The JSON of {@code GET /balancer/services}. */
public record ServicesView(List<Service> services) {

    @JsonbPropertyOrder({"name", "strategy", "consulIndex", "updatedAt", "instances"})
    public record Service(String name, String strategy, long consulIndex, Instant updatedAt, List<InstanceView> instances) {
    }

    @JsonbPropertyOrder({"id", "address", "port", "message", "weight", "requests", "failures", "inFlight",
            "answerTimeSeconds", "slowStartShare", "ejectedUntil"})
    public record InstanceView(String id, String address, int port, String message, int weight, long requests, long failures,
                               int inFlight, Double answerTimeSeconds, Double slowStartShare, Instant ejectedUntil) {
    }
}
