package dev.ruta.balancer.proxy.transport;

import java.io.IOException;

/** The instance closed its connection before the end its answer's framing declared. */
public final class CutAnswerException extends IOException {

    public CutAnswerException(String message) {
        super(message);
    }
}
