package dev.ruta.balancer.proxy;

import java.util.List;
import java.util.Map;

/** One incoming request as it will be sent upstream: unchanged method, raw path and query, body, end-to-end headers. */
public record Exchange(String method, String rawPathAndQuery, Map<String, List<String>> headers, byte[] body) {
}
