package dev.ruta.balancer.proxy.transport;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * An instance's final answer: its status and header fields as sent, how its body is framed,
 * and the body, which must be read to its end or closed.
 *
 * @param length the body's declared length: its Content-Length with {@link Framing#LENGTH}; with
 *               {@link Framing#NONE} the length a HEAD or 304 answer declares (-1 if none, 0 for a 204);
 *               -1 when chunked or framed by closing
 */
public record InstanceAnswer(int status, String reason, Map<String, List<String>> headers, Framing framing, long length,
                             InputStream body) {
}
