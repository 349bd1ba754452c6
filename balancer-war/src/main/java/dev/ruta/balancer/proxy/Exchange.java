package dev.ruta.balancer.proxy;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One incoming request as it will be sent to an instance: unchanged method, raw path and query,
 * body and end-to-end headers, and the instance it goes to on this attempt. It travels as the
 * entity of {@link UpstreamClient#send}, which {@link ExchangeFilter} unpacks.
 */
public record Exchange(String method, String rawPathAndQuery, Map<String, List<String>> headers, RequestBody body,
                       URI target) {

    /** The same exchange addressed to an instance: host and port come from the registry only. */
    Exchange toward(String instanceBaseUrl) {
        return new Exchange(method, rawPathAndQuery, headers, body, URI.create(instanceBaseUrl + rawPathAndQuery));
    }
}
