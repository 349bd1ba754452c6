package dev.ruta.balancer.proxy.transport;

import java.util.List;
import java.util.Map;

/**
 * What goes to an instance: method, raw path and query exactly as the client sent them, the
 * header fields to send (none that frames the body or names the connection: those are the
 * transport's), and the body or null.
 */
public record InstanceRequest(String method, String host, int port, String rawPathAndQuery,
                              Map<String, List<String>> headers, RequestContent content) {
}
