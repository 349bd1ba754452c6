/**
 * The balancer's own errors, typed, each mapped to its status with a JSON body
 * {@code {"error":..,"message":..}}; JAX-RS's errors, unexpected ones and the container's own
 * answers get the same shape. Forwarding and {@code status} both answer with them, so they stand
 * on the ground floor: this package imports nothing of the balancer.
 */
package dev.ruta.balancer.error;
