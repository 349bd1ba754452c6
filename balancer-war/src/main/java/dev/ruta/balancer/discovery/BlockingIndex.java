package dev.ruta.balancer.discovery;

/** Consul's rules for the index of the next blocking query, from its documentation. */
final class BlockingIndex {

    private BlockingIndex() {
    }

    /**
     * The index to wait on next: the one Consul returned, except that an index going backwards
     * (a restarted agent, a snapshot restore) starts over from 0, and a non-positive index
     * becomes 1 so the next query blocks instead of returning at once forever.
     */
    static long next(long previous, long returned) {
        if (returned < previous) {
            return 0;
        }
        return returned <= 0 ? 1 : returned;
    }
}
