/**
 * Forwarding: {@code /api/<service>/...} goes unchanged to an instance of that service through
 * a MicroProfile REST client built per instance, with hop-by-hop headers dropped, the
 * {@code X-Forwarded-*} headers added, retries on another instance where safe, and
 * {@code X-Ruta-Instance} naming who answered.
 */
package dev.ruta.balancer.proxy;
