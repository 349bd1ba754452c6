package dev.ruta.balancer.proxy;

import dev.ruta.balancer.balancing.BalancingStrategy;
import dev.ruta.balancer.balancing.Failure;
import dev.ruta.balancer.balancing.RetryPolicy;
import dev.ruta.balancer.balancing.Strategies;
import dev.ruta.balancer.balancing.Upstream;
import dev.ruta.balancer.discovery.RoutingTable;
import dev.ruta.balancer.discovery.ServiceSnapshot;
import dev.ruta.balancer.proxy.error.BadGatewayException;
import dev.ruta.balancer.proxy.error.GatewayTimeoutException;
import dev.ruta.balancer.proxy.error.NoInstanceException;
import dev.ruta.balancer.proxy.error.UnknownServiceException;
import dev.ruta.balancer.status.BalancerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends an exchange to an instance of its service, and on a retryable failure to another one,
 * ejecting the instance that failed. The answer is read whole before it is relayed, so a
 * failure is always seen here, never half-way through the client's response.
 */
@ApplicationScoped
public class Forwarder {

    private static final Logger LOG = Logger.getLogger(Forwarder.class.getName());

    private final RoutingTable table;
    private final Upstreams upstreams;
    private final Exchanges exchanges;
    private final BalancerMetrics metrics;
    private final BalancingStrategy strategy;
    private final RetryPolicy retryPolicy;
    private final Duration ejectFor;

    protected Forwarder() {
        this(null, null, null, null, "round-robin", 0, Duration.ZERO);
    }

    @Inject
    public Forwarder(RoutingTable table, Upstreams upstreams, Exchanges exchanges, BalancerMetrics metrics,
                     @ConfigProperty(name = "balancer.strategy") String strategy,
                     @ConfigProperty(name = "balancer.retries") int retries,
                     @ConfigProperty(name = "balancer.eject-for") Duration ejectFor) {
        this.table = table;
        this.upstreams = upstreams;
        this.exchanges = exchanges;
        this.metrics = metrics;
        this.strategy = Strategies.named(strategy);
        this.retryPolicy = new RetryPolicy(retries);
        this.ejectFor = ejectFor;
    }

    public String strategyName() {
        return strategy.name();
    }

    public Relayed forward(String service, Exchange exchange) {
        ServiceSnapshot snapshot = table.service(service).orElseThrow(() -> new UnknownServiceException(
                "No service called '" + service + "' is routed: it is not registered in Consul with the routing tag."));
        if (snapshot.instances().isEmpty()) {
            throw new NoInstanceException("Service '" + service + "' has no healthy instance right now; try again shortly.");
        }
        String exchangeId = exchanges.open(exchange);
        try {
            return forward(service, exchange, exchangeId);
        } finally {
            exchanges.close(exchangeId);
        }
    }

    private Relayed forward(String service, Exchange exchange, String exchangeId) {
        Set<String> tried = new HashSet<>();
        Relayed unavailable = null;
        String lastProblem = "no instance was tried";
        while (true) {
            List<Upstream<UpstreamClient>> candidates = upstreams.pool().candidates(service, tried, Instant.now());
            if (candidates.isEmpty()) {
                break;
            }
            Upstream<UpstreamClient> upstream = strategy.choose(service, candidates);
            tried.add(upstream.instance().id());
            if (!upstream.tryStart()) {
                continue; // it left the registry a moment ago; nothing was sent
            }
            Attempt attempt = attempt(upstream, exchange, exchangeId);
            if (attempt.failure() == null) {
                return attempt.relayed();
            }
            Failure failure = attempt.failure();
            if (RetryPolicy.ejects(failure)) {
                upstream.ejectUntil(Instant.now().plus(ejectFor));
                metrics.ejected(upstream.instance());
                LOG.log(Level.INFO, "Ejected {0} for {1}: {2}",
                        new Object[] {upstream.instance().id(), ejectFor, attempt.problem()});
            }
            if (failure == Failure.READ_TIMEOUT) {
                throw new GatewayTimeoutException("Instance " + upstream.instance().id() + " of '" + service
                        + "' did not answer in time.");
            }
            unavailable = attempt.relayed() != null ? attempt.relayed() : unavailable;
            lastProblem = attempt.problem();
            if (!retryPolicy.mayRetry(exchange.method(), failure, tried.size())) {
                break;
            }
            metrics.retried(service);
        }
        if (unavailable != null) {
            return unavailable;
        }
        throw new BadGatewayException("No instance of '" + service + "' could answer: " + lastProblem + ".");
    }

    private Attempt attempt(Upstream<UpstreamClient> upstream, Exchange exchange, String exchangeId) {
        long started = System.nanoTime();
        boolean failed = true;
        try (Response response = send(upstream.client(), exchangeId, exchange)) {
            Relayed relayed = Relayed.of(response, upstream.instance().id());
            int status = relayed.status();
            failed = status == 502 || status == 503 || status == 504;
            return failed
                    ? new Attempt(relayed, Failure.UNAVAILABLE_STATUS, upstream.instance().id() + " answered " + status)
                    : new Attempt(relayed, null, null);
        } catch (ProcessingException e) {
            Failure failure = Failures.classify(e);
            return new Attempt(null, failure, upstream.instance().id() + ": " + Failures.describe(e));
        } finally {
            upstream.finished(failed);
            metrics.requested(upstream.instance(), Duration.ofNanos(System.nanoTime() - started), failed);
        }
    }

    /** Not a default method of the client: Payara's REST client proxies cannot run those. */
    private static Response send(UpstreamClient client, String exchangeId, Exchange exchange) {
        return switch (exchange.method()) {
            case "GET" -> client.get(exchangeId);
            case "HEAD" -> client.head(exchangeId);
            case "OPTIONS" -> client.options(exchangeId);
            case "DELETE" -> client.delete(exchangeId);
            case "POST" -> client.post(exchangeId, exchange.body());
            case "PUT" -> client.put(exchangeId, exchange.body());
            case "PATCH" -> client.patch(exchangeId, exchange.body());
            default -> throw new IllegalArgumentException("Unsupported method " + exchange.method());
        };
    }

    private record Attempt(Relayed relayed, Failure failure, String problem) {
    }
}
