package dev.ruta.balancer.proxy.exchange;

import java.time.Instant;

/** What one request's access-log line says about forwarding: the instance last tried and the retries. */
public final class AccessRecord {

    public final Instant received = Instant.now();
    public final long startedNanos = System.nanoTime();
    private volatile String instance;
    private volatile int retries;

    public void tried(String instanceId, boolean retry) {
        instance = instanceId;
        if (retry) {
            retries++;
        }
    }

    public String instance() {
        return instance;
    }

    public int retries() {
        return retries;
    }
}
