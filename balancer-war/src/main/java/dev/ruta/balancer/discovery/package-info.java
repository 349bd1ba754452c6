/**
 * Where instances come from: the {@link dev.ruta.balancer.discovery.InstanceSource} interface
 * and its Consul implementation, which follows the catalog and each tagged service's passing
 * instances with blocking queries and announces each service's new snapshot as a CDI event.
 */
package dev.ruta.balancer.discovery;
