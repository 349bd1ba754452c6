/** MicroProfile Config support the balancer needs: durations written as Consul writes them. */
package dev.ruta.balancer.config;
