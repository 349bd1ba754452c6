package dev.ruta.balancer.proxy.edge;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How many WebSocket handshakes wait on instances' answers at once: on each instance, and on all
 * of them together. Each holds one of Payara's few request threads while it waits (a servlet
 * upgrades only before service() returns), so instances that accept handshakes and never answer
 * would otherwise take every one of them, for up to balancer.read-timeout, and plain requests
 * would wait behind. A healthy instance answers a handshake in milliseconds, so a handshake that
 * finds no slot waits a little for one before it looks elsewhere.
 * <p>
 * One lock for all instances: handshakes are rare beside plain requests, which never come here.
 */
final class HandshakeSlots {

    private final int perInstance;
    private final int inAll;
    private final Map<String, Integer> waiting = new HashMap<>();
    private int waitingInAll;

    HandshakeSlots(int perInstance, int inAll) {
        if (perInstance < 1 || inAll < 1) {
            throw new IllegalArgumentException("balancer.handshakes-per-instance and balancer.max-handshakes must be"
                    + " 1 or more, not " + perInstance + " and " + inAll);
        }
        this.perInstance = perInstance;
        this.inAll = inAll;
    }

    /**
     * Takes a slot on the instance, within the limit for all instances, waiting up to
     * {@code patience} for one to be given back.
     *
     * @return false when none was free in time: nothing was sent to the instance
     */
    synchronized boolean take(String instanceId, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (waiting.getOrDefault(instanceId, 0) >= perInstance || waitingInAll >= inAll) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        waiting.merge(instanceId, 1, Integer::sum);
        waitingInAll++;
        return true;
    }

    /**
     * The handshake has its answer, or failed: its slot is free. An instance leaves the map at
     * zero, so the map holds only instances with a handshake waiting.
     */
    synchronized void giveBack(String instanceId) {
        Integer count = waiting.get(instanceId);
        if (count == null) {
            throw new IllegalStateException("No handshake slot taken on " + instanceId + " to give back");
        }
        if (count == 1) {
            waiting.remove(instanceId);
        } else {
            waiting.put(instanceId, count - 1);
        }
        waitingInAll--;
        notifyAll();
    }
}
