package dev.ruta.balancer.proxy;

import dev.ruta.balancer.balancing.BalancingStrategy;
import dev.ruta.balancer.balancing.Failure;
import dev.ruta.balancer.balancing.RetryPolicy;
import dev.ruta.balancer.balancing.RoutingTable;
import dev.ruta.balancer.balancing.ServiceRoute;
import dev.ruta.balancer.balancing.Strategies;
import dev.ruta.balancer.balancing.Upstream;
import dev.ruta.balancer.proxy.error.BadGatewayException;
import dev.ruta.balancer.proxy.error.GatewayTimeoutException;
import dev.ruta.balancer.proxy.error.NoInstanceException;
import dev.ruta.balancer.proxy.error.UnknownServiceException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends an exchange to an instance of its service, and on a retryable failure to another one,
 * ejecting the instance that failed. Nothing waits meanwhile: the answer completes when the
 * instance's status and headers arrive, so a failure is always seen here, before the first
 * byte has gone to the client, and the body then streams through.
 */
@ApplicationScoped
public class Forwarder {

    private static final Logger LOG = Logger.getLogger(Forwarder.class.getName());

    private final RoutingTable table;
    private final UpstreamTransport transport;
    private final ForwardingObserver observer;
    private final BalancingStrategy strategy;
    private final RetryPolicy retryPolicy;
    private final Duration ejectFor;
    private final Duration readTimeout;
    private final int maxInFlight;

    @Resource
    private ManagedThreadFactory threads;
    private ExecutorService relays;

    protected Forwarder() {
        this(null, null, null, "round-robin", 0, Duration.ZERO, Duration.ZERO, 1);
    }

    @Inject
    public Forwarder(RoutingTable table, UpstreamTransport transport, ForwardingObserver observer,
                     @ConfigProperty(name = "balancer.strategy") String strategy,
                     @ConfigProperty(name = "balancer.retries") int retries,
                     @ConfigProperty(name = "balancer.eject-for") Duration ejectFor,
                     @ConfigProperty(name = "balancer.read-timeout") Duration readTimeout,
                     @ConfigProperty(name = "balancer.max-in-flight") int maxInFlight) {
        this.table = table;
        this.transport = transport;
        this.observer = observer;
        this.strategy = Strategies.named(strategy);
        this.retryPolicy = new RetryPolicy(retries);
        this.ejectFor = ejectFor;
        this.readTimeout = readTimeout;
        this.maxInFlight = maxInFlight;
    }

    public String strategyName() {
        return strategy.name();
    }

    /**
     * Checked before a request's body is read, so that a body bound for nowhere is never read,
     * and again when it is forwarded, as the routes may have changed meanwhile.
     *
     * @throws UnknownServiceException when no such service is routed
     * @throws NoInstanceException when it has no healthy instance
     */
    void checkRoutable(String service) {
        ServiceRoute route = table.route(service).orElseThrow(() -> new UnknownServiceException(
                "No service called '" + service + "' is routed: it is not registered in Consul with the routing tag."));
        if (route.upstreams().isEmpty()) {
            throw new NoInstanceException("Service '" + service + "' has no healthy instance right now; try again shortly.");
        }
    }

    /**
     * @throws UnknownServiceException when no such service is routed
     * @throws NoInstanceException when it has no healthy instance
     */
    CompletableFuture<UpstreamAnswer> forward(String service, Exchange exchange, AccessRecord record) {
        checkRoutable(service);
        Attempts attempts = new Attempts(service, exchange, record);
        attempts.next();
        return attempts.answer;
    }

    /**
     * The instances' answers are handled here, off the I/O threads of the connector, and bodies
     * kept in files are sent from here, off Payara's threads. A thread is busy only while it
     * moves bytes; beyond the cores, threads come and go with the load.
     */
    @PostConstruct
    void start() {
        int cores = Runtime.getRuntime().availableProcessors();
        relays = new ThreadPoolExecutor(cores, Math.max(cores, maxInFlight), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), threads);
    }

    ExecutorService relays() {
        return relays;
    }

    @PreDestroy
    void stop() {
        if (relays != null) {
            relays.shutdown();
        }
    }

    /** One request's attempts, one after the other: never touched by two threads at once. */
    private final class Attempts {

        private final String service;
        private final Exchange exchange;
        private final AccessRecord record;
        private final CompletableFuture<UpstreamAnswer> answer = new CompletableFuture<>();
        private final Set<String> tried = new HashSet<>(4);
        private UpstreamAnswer unavailable;
        private String lastProblem = "no instance was tried";

        Attempts(String service, Exchange exchange, AccessRecord record) {
            this.service = service;
            this.exchange = exchange;
            this.record = record;
        }

        void next() {
            List<Upstream> candidates = table.route(service)
                    .map(route -> route.candidates(tried, Instant.now()))
                    .orElse(List.of());
            if (candidates.isEmpty()) {
                giveUp();
                return;
            }
            Upstream upstream = strategy.choose(service, candidates);
            record.tried(upstream.instance().id(), !tried.isEmpty());
            tried.add(upstream.instance().id());
            upstream.started();
            long started = System.nanoTime();
            // The clock runs before the call: writing the body happens inside it and may wait on a
            // free connection, and the client must still get its answer.
            CompletableFuture<Response> timed = new CompletableFuture<>();
            timed.orTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((response, error) -> outcome(upstream, started, response, error), relays());
            CompletableFuture<Response> call;
            try {
                call = transport.send(exchange.toward(upstream.instance().baseUrl())).toCompletableFuture();
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            call.whenComplete((response, error) -> {
                boolean delivered = error == null ? timed.complete(response) : timed.completeExceptionally(error);
                if (!delivered && response != null) {
                    // It came after the timeout: closed, so its connection is not held for ever.
                    response.close();
                }
            });
        }

        private void outcome(Upstream upstream, long started, Response response, Throwable error) {
            if (error != null) {
                Throwable cause = Failures.unwrap(error);
                finish(upstream, started, true);
                Failure failure = cause instanceof TimeoutException ? Failure.READ_TIMEOUT : Failures.classify(cause);
                failed(upstream, failure, upstream.instance().id() + ": " + Failures.describe(cause), null);
                return;
            }
            int status = response.getStatus();
            if (status == 502 || status == 503 || status == 504) {
                finish(upstream, started, true);
                failed(upstream, Failure.UNAVAILABLE_STATUS, upstream.instance().id() + " answered " + status,
                        UpstreamAnswer.buffered(response, upstream.instance().id()));
                return;
            }
            try {
                answer.complete(UpstreamAnswer.streaming(response, upstream.instance().id(),
                        () -> finish(upstream, started, false)));
            } catch (RuntimeException e) {
                response.close();
                finish(upstream, started, true);
                failed(upstream, Failure.RESET_BEFORE_RESPONSE, upstream.instance().id() + ": " + Failures.describe(e), null);
            }
        }

        private void failed(Upstream upstream, Failure failure, String problem, UpstreamAnswer unavailableAnswer) {
            if (RetryPolicy.ejects(failure)) {
                upstream.ejectUntil(Instant.now().plus(ejectFor));
                observer.ejected(upstream.instance());
                LOG.log(Level.INFO, "Ejected {0} for {1}: {2}", new Object[] {upstream.instance().id(), ejectFor, problem});
            }
            if (failure == Failure.READ_TIMEOUT) {
                LOG.log(Level.INFO, "No answer from {0} within {1}", new Object[] {upstream.instance().id(), readTimeout});
                answer.completeExceptionally(new GatewayTimeoutException(
                        "Instance " + upstream.instance().id() + " of '" + service + "' did not answer in time."));
                return;
            }
            if (unavailableAnswer != null) {
                if (unavailable != null) {
                    unavailable.close();
                }
                unavailable = unavailableAnswer;
            }
            lastProblem = problem;
            if (retryPolicy.mayRetry(exchange.method(), failure, tried.size()) ) {
                observer.retried(service);
                next();
                return;
            }
            giveUp();
        }

        private void giveUp() {
            if (unavailable != null) {
                answer.complete(unavailable);
                return;
            }
            // The details name internal addresses: for the log, not for anonymous clients.
            LOG.log(Level.WARNING, "No instance of {0} could answer {1} {2}: {3}",
                    new Object[] {service, exchange.method(), exchange.rawPathAndQuery(), lastProblem});
            answer.completeExceptionally(new BadGatewayException("No instance of '" + service + "' could answer."));
        }

        private void finish(Upstream upstream, long started, boolean failed) {
            upstream.finished(failed);
            observer.requested(upstream.instance(), Duration.ofNanos(System.nanoTime() - started), failed);
        }
    }
}
