/**
 * Keeps this instance registered in its local Consul agent for as long as it runs: registers
 * at application start with an HTTP check on MicroProfile Health, retries in the background
 * while Consul is away, restores a registration the agent forgot, and deregisters on shutdown.
 */
package dev.ruta.operations.registration;
