/**
 * The balancer's own errors, typed, each mapped to its status with a JSON body
 * {@code {"error":..,"message":..}}; JAX-RS's errors and unexpected ones get the same shape.
 */
package dev.ruta.balancer.proxy.error;
