package dev.ruta.operations.registration;

/** Where this instance stands with the Consul agent. */
public enum RegistrationState {
    /** Not tried yet, or waiting for the server to know its port. */
    STARTING,
    REGISTERED,
    /** The agent is unreachable or refuses the registration; retrying with backoff. */
    RETRYING,
    DISABLED,
    DEREGISTERED
}
