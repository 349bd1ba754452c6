/**
 * Pure rules of HTTP that forwarding obeys, with no I/O: which headers cross an intermediary
 * (RFC 9110 §7.6.1) and which the balancer writes itself; which paths stay inside their service
 * (no dot segment, plain or encoded, no encoded slash).
 */
package dev.ruta.balancer.proxy.http;
