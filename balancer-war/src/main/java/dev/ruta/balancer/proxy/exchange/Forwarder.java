package dev.ruta.balancer.proxy.exchange;

import dev.ruta.balancer.balancing.BalancingStrategy;
import dev.ruta.balancer.balancing.Failure;
import dev.ruta.balancer.balancing.RetryPolicy;
import dev.ruta.balancer.balancing.RoutingTable;
import dev.ruta.balancer.balancing.ServiceRoute;
import dev.ruta.balancer.balancing.SlowStart;
import dev.ruta.balancer.balancing.Strategies;
import dev.ruta.balancer.balancing.Upstream;
import dev.ruta.balancer.error.BadGatewayException;
import dev.ruta.balancer.error.GatewayTimeoutException;
import dev.ruta.balancer.error.NoInstanceException;
import dev.ruta.balancer.error.OverloadedException;
import dev.ruta.balancer.error.UnknownServiceException;
import dev.ruta.balancer.proxy.body.UpstreamAnswer;
import dev.ruta.balancer.proxy.client.Exchange;
import dev.ruta.balancer.proxy.client.Failures;
import dev.ruta.balancer.proxy.client.UpstreamTransport;
import dev.ruta.balancer.proxy.transport.InstanceCall;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sends an exchange to an instance of its service, and on a retryable failure to another one,
 * ejecting the instance that failed. No container thread waits meanwhile: the answer completes
 * when the instance's status and headers arrive (with the whole body, when it is small), so a
 * failure is seen here before the first byte has gone to the client, and the body then streams
 * through. An attempt that times out has its connection closed at once.
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
    private final SlowStart slowStart;

    protected Forwarder() {
        this(null, null, null, "round-robin", 0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    @Inject
    public Forwarder(RoutingTable table, UpstreamTransport transport, ForwardingObserver observer,
                     @ConfigProperty(name = "balancer.strategy") String strategy,
                     @ConfigProperty(name = "balancer.retries") int retries,
                     @ConfigProperty(name = "balancer.eject-for") Duration ejectFor,
                     @ConfigProperty(name = "balancer.read-timeout") Duration readTimeout,
                     @ConfigProperty(name = "balancer.slow-start") Duration slowStart) {
        this.table = table;
        this.transport = transport;
        this.observer = observer;
        this.strategy = Strategies.named(strategy);
        this.retryPolicy = new RetryPolicy(retries);
        this.ejectFor = ejectFor;
        this.readTimeout = readTimeout;
        this.slowStart = new SlowStart(slowStart);
    }

    public String strategyName() {
        return strategy.name();
    }

    /** The share of its requests an instance takes now, under slow start: 1 once warm. */
    public double slowStartShare(Upstream upstream, Instant now) {
        return slowStart.share(upstream, now);
    }

    /**
     * Checked before a request's body is read, so that a body bound for nowhere is never read,
     * and again when it is forwarded, as the routes may have changed meanwhile.
     *
     * @throws UnknownServiceException when no such service is routed
     * @throws NoInstanceException when it has no healthy instance
     */
    public void checkRoutable(String service) {
        ServiceRoute route = table.route(service).orElseThrow(() -> new UnknownServiceException(
                "No service called '" + service + "' is routed: it is not registered in Consul with the routing tag."));
        if (route.upstreams().isEmpty()) {
            throw new NoInstanceException("Service '" + service + "' has no healthy instance right now; try again shortly.");
        }
    }

    /** For a tunnel: the instance the strategy picks among those not tried yet, if any is left. */
    public Optional<Upstream> choose(String service, Set<String> tried) {
        Instant now = Instant.now();
        List<Upstream> candidates = table.route(service)
                .map(route -> route.candidates(tried, now))
                .orElse(List.of());
        return candidates.isEmpty() ? Optional.empty() : Optional.of(slowStart.choose(strategy, service, candidates, now));
    }

    /** Whether a tunnel refused by one instance may try another, after {@code attemptsMade}. */
    public boolean mayRetryUpgrade(Failure failure, int attemptsMade) {
        return retryPolicy.mayRetry("GET", failure, attemptsMade) && failure == Failure.CONNECTION_REFUSED;
    }

    /** Out of the rotation for balancer.eject-for, when the failure is one that ejects. */
    public void ejectIfBroken(Upstream upstream, Failure failure, String problem) {
        if (RetryPolicy.ejects(failure)) {
            upstream.ejectUntil(Instant.now().plus(ejectFor));
            observer.ejected(upstream.instance());
            LOG.log(Level.INFO, "Ejected {0} for {1}: {2}", new Object[] {upstream.instance().id(), ejectFor, problem});
        }
    }

    /**
     * @param scope learns each attempt's call, so that the client's side can abort it
     * @throws UnknownServiceException when no such service is routed
     * @throws NoInstanceException when it has no healthy instance
     */
    public CompletableFuture<UpstreamAnswer> forward(String service, Exchange exchange, ExchangeScope scope) {
        checkRoutable(service);
        Attempts attempts = new Attempts(service, exchange, scope);
        attempts.next();
        return attempts.answer;
    }

    /** One attempt on one instance: its call, and its end counted once, whichever way it ends. */
    private final class Attempt {

        final Upstream upstream;
        final InstanceCall call = new InstanceCall();
        final long started = System.nanoTime();
        private final AtomicBoolean finished = new AtomicBoolean();

        Attempt(Upstream upstream) {
            this.upstream = upstream;
            upstream.started();
            upstream.answerTime().sent(started);
        }

        String instanceId() {
            return upstream.instance().id();
        }

        void finish(boolean failed) {
            if (finished.compareAndSet(false, true)) {
                upstream.finished(failed);
                observer.requested(upstream.instance(), Duration.ofNanos(System.nanoTime() - started), failed);
            }
        }
    }

    /** One request's attempts, one after the other: never touched by two threads at once. */
    private final class Attempts {

        private final String service;
        private final Exchange exchange;
        private final ExchangeScope scope;
        private final CompletableFuture<UpstreamAnswer> answer = new CompletableFuture<>();
        private final Set<String> tried = new HashSet<>(4);
        private UpstreamAnswer unavailable;
        private String lastProblem = "no instance was tried";

        Attempts(String service, Exchange exchange, ExchangeScope scope) {
            this.service = service;
            this.exchange = exchange;
            this.scope = scope;
        }

        void next() {
            Instant now = Instant.now();
            List<Upstream> candidates = table.route(service)
                    .map(route -> route.candidates(tried, now))
                    .orElse(List.of());
            if (candidates.isEmpty()) {
                giveUp();
                return;
            }
            Upstream upstream = slowStart.choose(strategy, service, candidates, now);
            boolean retry = !tried.isEmpty();
            if (retry) {
                // Counted when another instance is really tried, not when one might have been.
                observer.retried(service);
            }
            scope.record().tried(upstream.instance().id(), retry);
            tried.add(upstream.instance().id());
            Attempt attempt = new Attempt(upstream);
            scope.calling(attempt.call);
            // The clock runs before the call: waiting for a free connection and sending the body
            // happen inside it, and the client must still get its answer.
            CompletableFuture<Response> timed = new CompletableFuture<>();
            timed.orTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((response, error) -> {
                if (Failures.unwrap(error) instanceof TimeoutException) {
                    // The instance's connection is closed: whatever it still sends goes nowhere, and a
                    // thread blocked on it wakes. The rest is not for the timer's thread.
                    attempt.call.abort();
                    onExchangeThread(() -> outcome(attempt, null, error));
                } else {
                    outcome(attempt, response, error);
                }
            });
            CompletableFuture<Response> call;
            try {
                call = transport.send(exchange.toward(upstream.instance(), attempt.call)).toCompletableFuture();
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

        private void onExchangeThread(Runnable task) {
            try {
                transport.exchangeThreads().execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        }

        /** Whatever happens here, the request's answer completes and the attempt is counted once. */
        private void outcome(Attempt attempt, Response response, Throwable error) {
            attempt.upstream.answerTime().settled(System.nanoTime());
            try {
                decide(attempt, response, error);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Unexpected failure while handling the answer of " + attempt.instanceId(), e);
                attempt.call.abort();
                attempt.finish(true);
                answer.completeExceptionally(new BadGatewayException(
                        "The balancer could not forward the request; the error is in its log."));
            }
        }

        private void decide(Attempt attempt, Response response, Throwable error) {
            long now = System.nanoTime();
            if (error != null) {
                Throwable cause = Failures.unwrap(error);
                if (cause instanceof TimeoutException) {
                    // No answer at all is the slowest answer there is.
                    attempt.upstream.answerTime().record(readTimeout.toNanos(), now);
                }
                if (!(cause instanceof TimeoutException) && attempt.call.isAborted()) {
                    // The client left and aborted the call: no instance is to blame, nobody waits.
                    attempt.finish(false);
                    answer.completeExceptionally(new BadGatewayException("The client left before its answer."));
                    return;
                }
                if (Failures.isOverload(cause)) {
                    attempt.finish(false);
                    answer.completeExceptionally(new OverloadedException(
                            "The balancer has no thread free for another exchange; try again shortly."));
                    return;
                }
                attempt.finish(true);
                Failure failure = cause instanceof TimeoutException ? Failure.READ_TIMEOUT : Failures.classify(cause);
                failed(attempt.upstream, failure, attempt.instanceId() + ": " + Failures.describe(cause), null);
                return;
            }
            attempt.upstream.answerTime().record(now - attempt.started, now);
            int status = response.getStatus();
            if (status == 502 || status == 503 || status == 504) {
                UpstreamAnswer kept = UpstreamAnswer.buffered(response, attempt.instanceId(), attempt.call);
                attempt.finish(true);
                failed(attempt.upstream, Failure.UNAVAILABLE_STATUS, attempt.instanceId() + " answered " + status, kept);
                return;
            }
            UpstreamAnswer relayed;
            try {
                relayed = UpstreamAnswer.read(response, attempt.instanceId(), attempt.call, attempt::finish);
            } catch (IOException | RuntimeException e) {
                // The body of a small answer broke off before anything went to the client.
                boolean clientLeft = attempt.call.isAborted();
                attempt.call.abort();
                response.close();
                if (clientLeft) {
                    attempt.finish(false);
                    answer.completeExceptionally(new BadGatewayException("The client left before its answer."));
                    return;
                }
                attempt.finish(true);
                failed(attempt.upstream, Failures.classify(e), attempt.instanceId() + ": " + Failures.describe(e), null);
                return;
            }
            answer.complete(relayed);
        }

        private void failed(Upstream upstream, Failure failure, String problem, UpstreamAnswer unavailableAnswer) {
            ejectIfBroken(upstream, failure, problem);
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
            if (retryPolicy.mayRetry(exchange.method(), failure, tried.size())) {
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
    }
}
