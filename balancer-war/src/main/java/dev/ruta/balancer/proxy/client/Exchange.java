package dev.ruta.balancer.proxy.client;

import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.proxy.transport.InstanceCall;
import java.util.List;
import java.util.Map;

/**
 * One incoming request as it will be sent to an instance: unchanged method, raw path and query,
 * body and end-to-end headers; and, for one attempt, the instance it goes to and the handle
 * that aborts that attempt. It travels as the entity of {@link UpstreamClient#send}, which
 * {@link ExchangeFilter} unpacks.
 */
public record Exchange(String method, String rawPathAndQuery, Map<String, List<String>> headers, RequestBody body,
                       Instance instance, InstanceCall call) {

    /** The request before an instance is chosen. */
    public Exchange(String method, String rawPathAndQuery, Map<String, List<String>> headers, RequestBody body) {
        this(method, rawPathAndQuery, headers, body, null, null);
    }

    /** The same exchange addressed to an instance: host and port come from the registry only. */
    public Exchange toward(Instance target, InstanceCall attempt) {
        return new Exchange(method, rawPathAndQuery, headers, body, target, attempt);
    }
}
