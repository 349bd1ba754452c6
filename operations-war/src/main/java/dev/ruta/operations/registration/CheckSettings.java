package dev.ruta.operations.registration;

import java.time.Duration;

/** How Consul checks this instance's health, and when it gives up on a dead one. */
public record CheckSettings(String path, Duration interval, Duration timeout, Duration deregisterAfter) {
}
