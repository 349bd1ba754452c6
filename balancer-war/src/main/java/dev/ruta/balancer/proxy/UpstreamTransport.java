package dev.ruta.balancer.proxy;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.net.CookiePolicy;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.RestClientBuilder;

/**
 * The one MicroProfile REST client every instance is called through, on the Jersey connector
 * that {@code balancer.transport} names. One client, so one connection pool keyed by instance
 * address and one set of I/O threads, whatever the number of instances.
 */
@ApplicationScoped
public class UpstreamTransport {

    private static final Logger LOG = Logger.getLogger(UpstreamTransport.class.getName());

    /** Every call names its instance; this address is never reached. */
    private static final URI NO_BASE = URI.create("http://instance.invalid");
    /** A non-2xx answer is the instance's answer to relay, not an exception to throw. */
    private static final String DISABLE_DEFAULT_MAPPER = "microprofile.rest.client.disable.default.mapper";
    private static final String CONNECTOR_PROVIDER = "jersey.config.client.connector.provider";
    private static final String JDK_MAX_PER_ADDRESS = "jersey.config.client.JdkConnectorProvider.maxConnectionsPerDestination";
    private static final String JDK_IDLE_TIMEOUT = "jersey.config.client.JdkConnectorProvider.connectionIdleTimeout";
    /** The connector keeps cookies by default: one user's Set-Cookie would go out with everyone's requests. */
    private static final String JDK_COOKIES = "jersey.config.client.JdkConnectorProvider.cookiePolicy";
    /**
     * Payara and Grizzly close a keep-alive connection after 30 s idle; reusing one the instance
     * is closing at that moment fails the request. Dropping ours sooner avoids the race.
     */
    private static final int IDLE_CLOSE_MILLIS = 20_000;
    /** HttpURLConnection refuses PATCH; Jersey then sets the method by reflection (Payara opens java.net for it). */
    private static final String ALLOW_PATCH = "jersey.config.client.httpUrlConnection.setMethodWorkaround";

    private final UpstreamClient client;

    protected UpstreamTransport() {
        this.client = null;
    }

    @Inject
    public UpstreamTransport(@ConfigProperty(name = "balancer.transport") String transport,
                             @ConfigProperty(name = "balancer.connect-timeout") Duration connectTimeout,
                             @ConfigProperty(name = "balancer.connections-per-instance") int connectionsPerInstance) {
        RestClientBuilder builder = RestClientBuilder.newBuilder()
                .baseUri(NO_BASE)
                .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .executorService(new CallerRunsExecutor())
                .property(DISABLE_DEFAULT_MAPPER, true)
                // First, so later filters (Payara's tracing) see the real request.
                .register(new ExchangeFilter(), Integer.MIN_VALUE);
        switch (transport.strip().toLowerCase(Locale.ROOT)) {
            case "jdk-connector" -> builder.property(CONNECTOR_PROVIDER, "org.glassfish.jersey.jdk.connector.JdkConnectorProvider")
                    .property(JDK_MAX_PER_ADDRESS, connectionsPerInstance)
                    .property(JDK_IDLE_TIMEOUT, IDLE_CLOSE_MILLIS)
                    .property(JDK_COOKIES, CookiePolicy.ACCEPT_NONE);
            case "http-url-connection" -> builder.property(ALLOW_PATCH, true);
            default -> throw new IllegalArgumentException(
                    "balancer.transport must be jdk-connector or http-url-connection, not '" + transport + "'");
        }
        this.client = builder.build(UpstreamClient.class);
        LOG.log(Level.INFO, "Calling instances through the REST client on the {0} transport", transport);
    }

    CompletionStage<Response> send(Exchange exchange) {
        return client.send(exchange);
    }

    @PreDestroy
    void close() {
        try {
            client.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "Closing the REST client", e);
        }
    }
}
