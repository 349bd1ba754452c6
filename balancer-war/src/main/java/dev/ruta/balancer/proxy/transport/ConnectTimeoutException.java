package dev.ruta.balancer.proxy.transport;

import java.net.SocketTimeoutException;

/** No connection to the instance within the connect timeout: the request was not sent. */
public final class ConnectTimeoutException extends SocketTimeoutException {

    public ConnectTimeoutException(String message) {
        super(message);
    }
}
