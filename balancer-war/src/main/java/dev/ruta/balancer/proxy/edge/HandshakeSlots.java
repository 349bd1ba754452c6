package dev.ruta.balancer.proxy.edge;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How many WebSocket handshakes wait on each instance's answer at once. Each holds one of
 * Payara's few request threads while it waits (a servlet upgrades only before service()
 * returns), so an instance that accepts handshakes and never answers would otherwise take every
 * one of them, for up to balancer.read-timeout, and plain requests would wait behind. A healthy
 * instance answers a handshake in milliseconds, so a handshake that finds its instance's slots
 * taken waits a little for one before it looks elsewhere.
 * <p>
 * One lock for all instances: handshakes are rare beside plain requests, which never come here.
 */
final class HandshakeSlots {

    private final int perInstance;
    private final Map<String, Integer> waiting = new HashMap<>();

    HandshakeSlots(int perInstance) {
        if (perInstance < 1) {
            throw new IllegalArgumentException("balancer.handshakes-per-instance must be 1 or more, not " + perInstance);
        }
        this.perInstance = perInstance;
    }

    /**
     * Takes one of the instance's slots, waiting up to {@code patience} for one to be given back.
     *
     * @return false when none was free in time: nothing was sent to the instance
     */
    synchronized boolean take(String instanceId, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (waiting.getOrDefault(instanceId, 0) >= perInstance) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        waiting.merge(instanceId, 1, Integer::sum);
        return true;
    }

    /**
     * The handshake has its answer, or failed: its slot is free. An instance leaves the map at
     * zero, so the map holds only instances with a handshake waiting.
     */
    synchronized void giveBack(String instanceId) {
        waiting.computeIfPresent(instanceId, (id, count) -> count == 1 ? null : count - 1);
        notifyAll();
    }

    /** Handshakes waiting on the instance's answer now. */
    synchronized int waitingOn(String instanceId) {
        return waiting.getOrDefault(instanceId, 0);
    }
}
