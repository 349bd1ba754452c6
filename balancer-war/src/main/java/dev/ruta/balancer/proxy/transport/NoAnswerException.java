package dev.ruta.balancer.proxy.transport;

import java.io.IOException;

/** The connection closed before a single byte of an answer: the instance may have had the request. */
public final class NoAnswerException extends IOException {

    public NoAnswerException(String message) {
        super(message);
    }
}
