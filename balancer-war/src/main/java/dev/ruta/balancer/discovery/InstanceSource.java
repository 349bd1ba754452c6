package dev.ruta.balancer.discovery;

import java.time.Instant;
import java.util.Optional;

/** Where instances come from. Pushes changes to its listener as they happen; no polling interval. */
public interface InstanceSource extends AutoCloseable {

    void start(DiscoveryListener listener);

    /** When the registry last answered; empty before its first answer. */
    Optional<Instant> lastAnswer();

    /** What went wrong on the last failed call, while the registry is unreachable. */
    Optional<String> lastError();

    @Override
    void close();
}
