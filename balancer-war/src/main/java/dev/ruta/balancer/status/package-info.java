/**
 * What the balancer knows and has done: {@code /balancer/services} (the routing table with
 * each instance's counters) and the MicroProfile Metrics it records.
 */
package dev.ruta.balancer.status;
