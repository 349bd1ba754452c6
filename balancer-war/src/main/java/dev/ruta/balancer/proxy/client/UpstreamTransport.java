package dev.ruta.balancer.proxy.client;

import dev.ruta.balancer.proxy.transport.InstanceClient;
import io.opentelemetry.api.OpenTelemetry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.RestClientBuilder;

/**
 * The one MicroProfile REST client every instance is called through, on the project's own
 * connector ({@link InstanceConnector}): one pool of kept-alive connections keyed by instance
 * address, and the exchange threads that carry each call from its request to the end of its
 * answer's body.
 */
@ApplicationScoped
public class UpstreamTransport {

    private static final Logger LOG = Logger.getLogger(UpstreamTransport.class.getName());

    /** Every call names its instance; this address is never reached. */
    private static final URI NO_BASE = URI.create("http://instance.invalid");
    /** A non-2xx answer is the instance's answer to relay, not an exception to throw. */
    private static final String DISABLE_DEFAULT_MAPPER = "microprofile.rest.client.disable.default.mapper";
    private static final String CONNECTOR_PROVIDER = "jersey.config.client.connector.provider";
    /**
     * Payara and Grizzly close a keep-alive connection after 30 s idle; reusing one the instance
     * is closing at that moment fails the request. Dropping ours sooner avoids the race.
     */
    private static final Duration IDLE_CLOSE = Duration.ofSeconds(20);
    /** The REST client's Traced key, read by Payara's telemetry filter: whether each call is a span. */
    private static final String TRACED = "dev.ruta.balancer.proxy.client.UpstreamClient/Traced/value";

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int connectionsPerInstance;
    /** Whether each call is an OpenTelemetry span: OpenTelemetry on and the Traced key true. */
    private final boolean callSpans;
    private final Instance<OpenTelemetry> telemetry;

    @Resource
    private ManagedThreadFactory threadFactory;
    private ExecutorService exchangeThreads;
    private ScheduledExecutorService sweeper;
    private InstanceClient instances;
    private UpstreamClient client;

    protected UpstreamTransport() {
        this(Duration.ZERO, Duration.ZERO, 1, true, false, null);
    }

    @Inject
    public UpstreamTransport(@ConfigProperty(name = "balancer.connect-timeout") Duration connectTimeout,
                             @ConfigProperty(name = "balancer.read-timeout") Duration readTimeout,
                             @ConfigProperty(name = "balancer.connections-per-instance") int connectionsPerInstance,
                             @ConfigProperty(name = "otel.sdk.disabled", defaultValue = "true") boolean telemetryDisabled,
                             @ConfigProperty(name = TRACED, defaultValue = "true") boolean traced,
                             Instance<OpenTelemetry> telemetry) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.connectionsPerInstance = connectionsPerInstance;
        this.callSpans = !telemetryDisabled && traced;
        this.telemetry = telemetry;
    }

    /**
     * An exchange thread is busy while its exchange waits on the instance or moves its bytes, so
     * there is one per request in flight: a virtual thread each, so that requests held by a hung
     * instance cost a few kilobytes of heap apiece, not a platform thread and its stack.
     * {@code balancer.max-in-flight} bounds how many there are.
     */
    @PostConstruct
    void start() {
        exchangeThreads = Executors.newThreadPerTaskExecutor(
                new ExchangeThreads(Thread.currentThread().getContextClassLoader()));
        instances = new InstanceClient(connectTimeout, connectionsPerInstance, IDLE_CLOSE);
        sweeper = Executors.newSingleThreadScheduledExecutor(threadFactory);
        sweeper.scheduleWithFixedDelay(instances::closeIdle, 5, 5, TimeUnit.SECONDS);
        RestClientBuilder builder = RestClientBuilder.newBuilder();
        boolean requestSideOff = !callSpans && PayaraTelemetryFilter.keepAnswerSideOnly(builder);
        client = builder
                .baseUri(NO_BASE)
                .followRedirects(false)
                .executorService(new CallerRunsExecutor())
                .property(DISABLE_DEFAULT_MAPPER, true)
                .property(CONNECTOR_PROVIDER, InstanceConnectorProvider.class.getName())
                .property(InstanceConnectorProvider.CLIENT, instances)
                .property(InstanceConnectorProvider.THREADS, exchangeThreads)
                .property(InstanceConnectorProvider.READ_TIMEOUT, readTimeout)
                // First, so later filters (Payara's tracing) see the real request. With a span
                // per call, this filter makes it continue the client's trace.
                .register(new ExchangeFilter(callSpans ? telemetry.get().getPropagators().getTextMapPropagator() : null),
                        Integer.MIN_VALUE)
                .build(UpstreamClient.class);
        LOG.log(Level.INFO, "Calling instances through the REST client, at most {0} connections to each;"
                + " a span per call: {1}; Payara''s telemetry request filter skipped: {2}",
                new Object[] {connectionsPerInstance, callSpans, requestSideOff});
    }

    public CompletionStage<Response> send(Exchange exchange) {
        return client.send(exchange);
    }

    /** Where work that must not run on Payara's or a timer's thread goes. */
    public ExecutorService exchangeThreads() {
        return exchangeThreads;
    }

    /** The HTTP/1.1 client beneath the REST client, for what the REST client cannot carry: upgrades. */
    public InstanceClient instances() {
        return instances;
    }

    @PreDestroy
    void close() {
        try {
            client.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "Closing the REST client", e);
        }
        sweeper.shutdownNow();
        instances.close();
        exchangeThreads.shutdownNow();
    }
}
