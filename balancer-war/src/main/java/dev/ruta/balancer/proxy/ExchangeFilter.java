package dev.ruta.balancer.proxy;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Unpacks the {@link Exchange} a {@link UpstreamClient#send} call carries into the request
 * itself: method, address and headers. The body is not Jersey's to write: the connector sends
 * the exchange's own, with its length.
 */
final class ExchangeFilter implements ClientRequestFilter {

    @Override
    public void filter(ClientRequestContext request) {
        Exchange exchange = (Exchange) request.getEntity();
        request.setProperty(InstanceConnector.EXCHANGE, exchange);
        request.setMethod(exchange.method());
        request.setUri(exchange.target());
        MultivaluedMap<String, Object> headers = request.getHeaders();
        headers.clear();
        for (Map.Entry<String, List<String>> header : exchange.headers().entrySet()) {
            // Mutable: Jersey and later filters edit the lists.
            headers.put(header.getKey(), new ArrayList<>(header.getValue()));
        }
    }
}
