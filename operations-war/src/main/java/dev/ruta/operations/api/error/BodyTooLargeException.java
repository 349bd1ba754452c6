package dev.ruta.operations.api.error;

import jakarta.ws.rs.WebApplicationException;

/** A request body over the service's limit: refused before it is read whole. */
public final class BodyTooLargeException extends WebApplicationException {

    public BodyTooLargeException(long limit) {
        super("The request body is over the " + limit + "-byte limit; send {\"a\": <number>, \"b\": <number>}.", 413);
    }
}
