/**
 * The access log: one line per forwarded request, written by a thread of its own so that
 * forwarding never waits on the disk. Knows nothing of forwarding; the proxy hands it lines.
 */
package dev.ruta.balancer.accesslog;
