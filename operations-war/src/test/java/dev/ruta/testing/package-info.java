/**
 * Test fixtures shared by every module's integration tests, published as this module's
 * test-jar: a real Consul agent on free loopback ports, real Payara Micro processes started
 * from the built uber jars, and a small JSON-over-HTTP client. Everything they start they stop
 * by its PID.
 */
package dev.ruta.testing;
