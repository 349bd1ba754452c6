/**
 * The arithmetic the operations service offers: exact decimal operations, operand parsing with
 * the limits that keep one request from exhausting the server, and the typed errors they raise.
 * Knows nothing of HTTP or Consul.
 */
package dev.ruta.operations.arithmetic;
