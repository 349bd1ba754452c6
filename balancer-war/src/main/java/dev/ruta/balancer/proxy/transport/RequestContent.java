package dev.ruta.balancer.proxy.transport;

import java.io.IOException;
import java.io.OutputStream;

/** A request body of known length, which can be written again for another attempt. */
public interface RequestContent {

    long length();

    void writeTo(OutputStream out) throws IOException;
}
