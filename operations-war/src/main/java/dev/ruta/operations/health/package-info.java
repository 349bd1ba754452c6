/**
 * MicroProfile Health checks. Consul's HTTP check polls readiness, so readiness reflects only
 * whether this instance can compute, never whether Consul is reachable.
 */
package dev.ruta.operations.health;
