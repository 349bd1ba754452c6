/**
 * Who this running instance is: its ID, the address and port it really serves on, its greeting,
 * when it started and how many requests it has answered. Registration and the API both read it.
 */
package dev.ruta.operations.instance;
