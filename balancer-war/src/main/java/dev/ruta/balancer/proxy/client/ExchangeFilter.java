package dev.ruta.balancer.proxy.client;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.client.ClientRequest;

/**
 * Unpacks the {@link Exchange} a {@link UpstreamClient#send} call carries into the request
 * itself: method and headers, and the address when a span names it. The body is not Jersey's
 * to write: the connector sends the exchange's own, with its length.
 */
final class ExchangeFilter implements ClientRequestFilter {

    /** Where Payara's telemetry filter looks for the parent of the client span it starts. */
    private static final String PARENT_SPAN = "Payara-Telemetry-Tracing-SpanContext";
    private static final TextMapGetter<Map<String, List<String>>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, List<String>> headers) {
            return headers.keySet();
        }

        @Override
        public String get(Map<String, List<String>> headers, String name) {
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                    return header.getValue().get(0);
                }
            }
            return null;
        }
    };

    /**
     * The propagators OpenTelemetry is configured with, when each call is a span; null when no
     * call is (OpenTelemetry off, or UpstreamClient/Traced/value false).
     */
    private final TextMapPropagator traceContext;

    ExchangeFilter(TextMapPropagator traceContext) {
        this.traceContext = traceContext;
    }

    @Override
    public void filter(ClientRequestContext request) {
        Exchange exchange = (Exchange) request.getEntity();
        request.setProperty(InstanceConnector.EXCHANGE, exchange);
        request.setMethod(exchange.method());
        // Jersey names itself and its version to an instance when the client sent no User-Agent.
        ((ClientRequest) request).ignoreUserAgent(true);
        MultivaluedMap<String, Object> headers = request.getHeaders();
        headers.clear();
        for (Map.Entry<String, List<String>> header : exchange.headers().entrySet()) {
            // Mutable: Jersey and later filters edit the lists.
            headers.put(header.getKey(), new ArrayList<>(header.getValue()));
        }
        if (traceContext != null) {
            // The span names the address. The connector takes it from the exchange, so without a
            // span the request keeps the REST client's placeholder rather than parse one per call.
            request.setUri(URI.create(exchange.instance().baseUrl() + exchange.rawPathAndQuery()));
            // The servlet that took the request made no span of its own: without this, the call's
            // span would start a trace of its own and its traceparent replace the client's.
            request.setProperty(PARENT_SPAN, traceContext.extract(Context.root(), exchange.headers(), HEADERS));
        }
    }
}
