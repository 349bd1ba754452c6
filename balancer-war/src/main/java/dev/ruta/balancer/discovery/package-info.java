/**
 * Where instances come from: the {@link dev.ruta.balancer.discovery.InstanceSource} interface
 * and its Consul implementation, which follows the whole catalog with two blocking queries (the
 * service list and the checks), joins them into each tagged service's passing instances and
 * announces each changed service's new snapshot as a CDI event.
 */
package dev.ruta.balancer.discovery;
