/**
 * What the balancer knows and has done: {@code /balancer/services} and {@code /balancer/events}
 * (the routing table with each instance's counters), the {@code discovery} readiness check, and
 * the MicroProfile Metrics that forwarding reports.
 */
package dev.ruta.balancer.status;
