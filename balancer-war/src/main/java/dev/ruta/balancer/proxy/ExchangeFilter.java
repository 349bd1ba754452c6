package dev.ruta.balancer.proxy;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Unpacks the {@link Exchange} a {@link UpstreamClient#send} call carries into the request itself. */
final class ExchangeFilter implements ClientRequestFilter {

    private static final Annotation[] NONE = new Annotation[0];
    private static final byte[] EMPTY = new byte[0];
    private static final String ENTITY_PROCESSING = "jersey.config.client.request.entity.processing";
    private static final Set<String> HAS_BODY = Set.of("POST", "PUT", "PATCH");

    @Override
    public void filter(ClientRequestContext request) {
        Exchange exchange = (Exchange) request.getEntity();
        request.setMethod(exchange.method());
        request.setUri(exchange.target());
        MultivaluedMap<String, Object> headers = request.getHeaders();
        headers.clear();
        for (Map.Entry<String, List<String>> header : exchange.headers().entrySet()) {
            // Mutable: Jersey and later filters edit the lists.
            headers.put(header.getKey(), new ArrayList<>(header.getValue()));
        }
        RequestBody body = exchange.body();
        if (!body.isPresent() && !HAS_BODY.contains(exchange.method())) {
            request.setEntity(null);
            return;
        }
        if (body.isInFile()) {
            // The JDK connector sends a body of known length only from memory: a file goes chunked.
            request.setProperty(ENTITY_PROCESSING, "CHUNKED");
        } else {
            // In memory it goes with its length: chunked encoding costs the instance more; and a
            // POST, PUT or PATCH without an entity could otherwise announce a body that never comes.
            headers.putSingle(HttpHeaders.CONTENT_LENGTH, Long.toString(body.length()));
        }
        MediaType type = request.getMediaType();
        request.setEntity(body.isPresent() ? body.entity() : EMPTY, NONE,
                type == null ? MediaType.APPLICATION_OCTET_STREAM_TYPE : type);
    }
}
