package dev.ruta.balancer.status;

/**
 * The services view as one Server-Sent Event, numbered in the order the views were read: a
 * subscriber never takes an older view after a newer one, whichever thread delivers first.
 */
record ServicesEvent(long sequence, byte[] bytes) {
}
