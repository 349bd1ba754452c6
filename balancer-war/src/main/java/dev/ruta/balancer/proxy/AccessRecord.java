package dev.ruta.balancer.proxy;

import java.time.Instant;

/** What one request's access-log line says about forwarding: the instance last tried and the retries. */
final class AccessRecord {

    final Instant received = Instant.now();
    final long startedNanos = System.nanoTime();
    private volatile String instance;
    private volatile int retries;

    void tried(String instanceId, boolean retry) {
        instance = instanceId;
        if (retry) {
            retries++;
        }
    }

    String instance() {
        return instance;
    }

    int retries() {
        return retries;
    }
}
