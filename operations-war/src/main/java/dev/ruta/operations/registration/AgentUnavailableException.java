package dev.ruta.operations.registration;

/** The agent could not be reached, or it answered with an error. */
public class AgentUnavailableException extends RuntimeException {

    public AgentUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
