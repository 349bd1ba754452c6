package dev.ruta.balancer.proxy;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import java.net.URI;

/** Turns a REST client call into the exchange it carries: real path and query, original headers. */
public final class ExchangeFilter implements ClientRequestFilter {

    static final String EXCHANGE_HEADER = "X-Ruta-Exchange";

    private final URI base;
    private final Exchanges exchanges;

    ExchangeFilter(URI base, Exchanges exchanges) {
        this.base = base;
        this.exchanges = exchanges;
    }

    @Override
    public void filter(ClientRequestContext request) {
        String id = request.getHeaderString(EXCHANGE_HEADER);
        Exchange exchange = exchanges.find(id)
                .orElseThrow(() -> new IllegalStateException("No exchange " + id + " in flight"));
        // Host and port come from the registry only; the request supplies nothing but path and query.
        request.setUri(URI.create(base.toString() + exchange.rawPathAndQuery()));
        MultivaluedMap<String, Object> headers = request.getHeaders();
        headers.clear();
        exchange.headers().forEach((name, values) -> values.forEach(value -> headers.add(name, value)));
    }
}
