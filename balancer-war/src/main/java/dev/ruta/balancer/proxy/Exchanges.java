package dev.ruta.balancer.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The exchanges in flight, by ID, for {@link ExchangeFilter} to find. */
@ApplicationScoped
public class Exchanges {

    private final Map<String, Exchange> inFlight = new ConcurrentHashMap<>();
    // Unique within this process is all an ID needs; a counter keeps SecureRandom off the request path.
    private final AtomicLong nextId = new AtomicLong();

    public String open(Exchange exchange) {
        String id = Long.toString(nextId.incrementAndGet());
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
