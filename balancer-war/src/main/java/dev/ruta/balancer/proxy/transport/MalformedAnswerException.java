package dev.ruta.balancer.proxy.transport;

import java.io.IOException;

/** What the instance sent is not an HTTP/1.1 answer a faithful intermediary may pass on. */
public final class MalformedAnswerException extends IOException {

    public MalformedAnswerException(String message) {
        super(message);
    }
}
