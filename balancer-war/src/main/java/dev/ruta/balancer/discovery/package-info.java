/**
 * Where instances come from: the {@link dev.ruta.balancer.discovery.InstanceSource} interface,
 * its Consul implementation that follows the catalog and each tagged service's passing
 * instances with blocking queries, and the routing table of immutable per-service snapshots
 * it keeps up to date.
 */
package dev.ruta.balancer.discovery;
