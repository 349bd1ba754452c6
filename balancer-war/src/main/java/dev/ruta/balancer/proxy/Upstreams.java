package dev.ruta.balancer.proxy;

import dev.ruta.balancer.balancing.UpstreamPool;
import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.discovery.ServiceRemoved;
import dev.ruta.balancer.discovery.ServiceSnapshot;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.RestClientBuilder;

/**
 * The upstreams of every routed service, each with a MicroProfile REST client built for its
 * instance's base URI, reused for every request (keep-alive) and closed when it leaves.
 */
@ApplicationScoped
public class Upstreams {

    /** A non-2xx answer is the instance's answer to relay, not an exception to throw. */
    private static final String DISABLE_DEFAULT_MAPPER = "microprofile.rest.client.disable.default.mapper";
    /**
     * HttpURLConnection, the transport under Payara's REST clients, refuses PATCH; Jersey then
     * sets the method by reflection (Payara Micro opens java.net for it).
     */
    private static final String ALLOW_PATCH = "jersey.config.client.httpUrlConnection.setMethodWorkaround";

    private final UpstreamPool<UpstreamClient> pool;

    protected Upstreams() {
        this.pool = null;
    }

    @Inject
    public Upstreams(Exchanges exchanges,
                     @ConfigProperty(name = "balancer.connect-timeout") Duration connectTimeout,
                     @ConfigProperty(name = "balancer.read-timeout") Duration readTimeout) {
        this.pool = new UpstreamPool<>(instance -> client(instance, exchanges, connectTimeout, readTimeout));
    }

    private static UpstreamClient client(Instance instance, Exchanges exchanges, Duration connectTimeout,
                                         Duration readTimeout) {
        return RestClientBuilder.newBuilder()
                .baseUri(instance.baseUri())
                .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .property(DISABLE_DEFAULT_MAPPER, true)
                .property(ALLOW_PATCH, true)
                .register(new ExchangeFilter(instance.baseUri(), exchanges))
                .build(UpstreamClient.class);
    }

    public UpstreamPool<UpstreamClient> pool() {
        return pool;
    }

    void follow(@Observes ServiceSnapshot snapshot) {
        pool.sync(snapshot);
    }

    void forget(@Observes ServiceRemoved removed) {
        pool.remove(removed.service());
    }

    @PreDestroy
    void closeAll() {
        pool.closeAll();
    }
}
