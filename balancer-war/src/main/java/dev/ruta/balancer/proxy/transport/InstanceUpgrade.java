package dev.ruta.balancer.proxy.transport;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;

/**
 * An instance's answer to a request for a protocol upgrade. Either it switched (101): its
 * connection is handed over, with the bytes it already sent past its answer; or it did not:
 * its answer, read whole (up to 64 KiB), with the connection already closed.
 */
public record InstanceUpgrade(int status, String reason, Map<String, List<String>> headers, byte[] body,
                              SocketChannel channel, ByteBuffer leftover) {

    public boolean switched() {
        return channel != null;
    }
}
