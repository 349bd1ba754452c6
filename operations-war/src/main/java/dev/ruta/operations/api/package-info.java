/**
 * The operations service's JSON API under {@code /api}: the list of operations, computing one
 * by GET or POST, and a description of the instance that answered, which is how a person
 * behind the balancer sees round-robin at work.
 */
package dev.ruta.operations.api;
