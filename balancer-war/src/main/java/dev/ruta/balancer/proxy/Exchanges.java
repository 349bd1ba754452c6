package dev.ruta.balancer.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The exchanges in flight, by ID, for {@link ExchangeFilter} to find. */
@ApplicationScoped
public class Exchanges {

    private final Map<String, Exchange> inFlight = new ConcurrentHashMap<>();

    public String open(Exchange exchange) {
        String id = UUID.randomUUID().toString();
        inFlight.put(id, exchange);
        return id;
    }

    public Optional<Exchange> find(String id) {
        return Optional.ofNullable(inFlight.get(id));
    }

    public void close(String id) {
        inFlight.remove(id);
    }
}
