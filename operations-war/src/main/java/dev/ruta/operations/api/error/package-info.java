/**
 * Turns every failure into {@code {"error":..,"message":..}} with the right status: typed
 * operation errors to 400 or 404, JAX-RS's own (unknown path, wrong method) to theirs, and
 * anything unexpected to a 500 that shows no stack trace.
 */
package dev.ruta.operations.api.error;
