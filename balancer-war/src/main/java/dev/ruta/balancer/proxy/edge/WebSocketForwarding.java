package dev.ruta.balancer.proxy.edge;

import dev.ruta.balancer.accesslog.AccessLog;
import dev.ruta.balancer.balancing.Failure;
import dev.ruta.balancer.balancing.Upstream;
import dev.ruta.balancer.error.BadGatewayException;
import dev.ruta.balancer.error.ErrorBody;
import dev.ruta.balancer.error.GatewayTimeoutException;
import dev.ruta.balancer.error.OverloadedException;
import dev.ruta.balancer.error.ProxyException;
import dev.ruta.balancer.proxy.body.UpstreamAnswer;
import dev.ruta.balancer.proxy.client.Failures;
import dev.ruta.balancer.proxy.client.UpstreamTransport;
import dev.ruta.balancer.proxy.exchange.AccessRecord;
import dev.ruta.balancer.proxy.exchange.Forwarder;
import dev.ruta.balancer.proxy.http.HeaderRules;
import dev.ruta.balancer.proxy.transport.InstanceCall;
import dev.ruta.balancer.proxy.transport.InstanceRequest;
import dev.ruta.balancer.proxy.transport.InstanceUpgrade;
import dev.ruta.balancer.proxy.tunnel.Tunnel;
import dev.ruta.balancer.proxy.tunnel.TunnelHub;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * WebSocket through the balancer: the handshake goes to an instance chosen by the strategy (a
 * refused connection is tried on another: nothing was sent), and when the instance switches
 * protocols the client's connection is upgraded and joined to the instance's in a
 * {@link Tunnel}. Only {@code Upgrade: websocket} is tunnelled. A tunnel counts in its
 * instance's in-flight figure while open and writes one access-log line when it closes.
 */
@ApplicationScoped
public class WebSocketForwarding {

    private static final Logger LOG = Logger.getLogger(WebSocketForwarding.class.getName());

    private final Forwarder forwarder;
    private final UpstreamTransport transport;
    private final AccessLog accessLog;
    private final int maxTunnels;
    private final Duration idleTimeout;
    private final Duration readTimeout;
    private final Duration writeTimeout;
    private final Duration slotWait;
    private final HandshakeSlots handshakes;
    private final AtomicInteger tunnels = new AtomicInteger();

    @Resource
    private ManagedThreadFactory threads;
    private TunnelHub hub;

    protected WebSocketForwarding() {
        this(null, null, null, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 1, 1);
    }

    @Inject
    public WebSocketForwarding(Forwarder forwarder, UpstreamTransport transport, AccessLog accessLog,
                               @ConfigProperty(name = "balancer.max-tunnels") int maxTunnels,
                               @ConfigProperty(name = "balancer.tunnel-idle-timeout") Duration idleTimeout,
                               @ConfigProperty(name = "balancer.read-timeout") Duration readTimeout,
                               @ConfigProperty(name = "balancer.write-timeout") Duration writeTimeout,
                               @ConfigProperty(name = "balancer.handshake-wait") Duration slotWait,
                               @ConfigProperty(name = "balancer.handshakes-per-instance") int handshakesPerInstance,
                               @ConfigProperty(name = "balancer.max-handshakes") int maxHandshakes) {
        this.forwarder = forwarder;
        this.transport = transport;
        this.accessLog = accessLog;
        this.maxTunnels = maxTunnels;
        this.idleTimeout = idleTimeout;
        this.readTimeout = readTimeout;
        this.writeTimeout = writeTimeout;
        this.slotWait = slotWait;
        this.handshakes = new HandshakeSlots(handshakesPerInstance, maxHandshakes);
    }

    @PostConstruct
    void start() {
        hub = new TunnelHub(idleTimeout, writeTimeout, threads);
    }

    /** Stopping the balancer closes every tunnel, both sides. */
    @PreDestroy
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    /** Tunnels joined to an instance and not yet closed, for /metrics. */
    public int openTunnels() {
        return hub == null ? 0 : hub.openCount();
    }

    /** Seconds since the tunnels' thread last went round, for /metrics: about 1 at most while it serves. */
    public double tunnelWatcherLagSeconds() {
        return hub == null ? 0 : hub.lagNanos(System.nanoTime()) / 1e9;
    }

    /** A GET asking, with Connection: Upgrade, to switch to WebSocket (RFC 6455 §4.1). */
    static boolean isWebSocketUpgrade(HttpServletRequest request) {
        return request.getHeader("Upgrade") != null && "GET".equals(request.getMethod())
                && hasToken(request, "Upgrade", "websocket") && hasToken(request, "Connection", "upgrade");
    }

    private static boolean hasToken(HttpServletRequest request, String header, String token) {
        for (String value : Collections.list(request.getHeaders(header))) {
            for (String part : value.split(",")) {
                if (part.strip().toLowerCase(Locale.ROOT).equals(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Answers the handshake: 101 with a tunnel joined when an instance switches, the instance's
     * own answer when it does not, or the balancer's error. Runs on the container's thread, which
     * waits for the instance's answer: a servlet upgrades only before service() returns.
     */
    void forward(HttpServletRequest request, HttpServletResponse response, String service, String rawPathAndQuery,
                 Map<String, List<String>> headers, AccessRecord record) throws IOException {
        if (tunnels.incrementAndGet() > maxTunnels) {
            tunnels.decrementAndGet();
            answerError(request, response, record, new OverloadedException("The balancer has " + maxTunnels
                    + " tunnels open, its limit (balancer.max-tunnels); try again shortly."));
            return;
        }
        boolean joined = false;
        try {
            joined = handshake(request, response, service, rawPathAndQuery, headers, record);
        } catch (ProxyException e) {
            answerError(request, response, record, e);
        } finally {
            if (!joined) {
                tunnels.decrementAndGet();
            }
        }
    }

    private boolean handshake(HttpServletRequest request, HttpServletResponse response, String service,
                              String rawPathAndQuery, Map<String, List<String>> headers, AccessRecord record)
            throws IOException {
        Map<String, List<String>> handshake = new LinkedHashMap<>(headers);
        handshake.put("Connection", List.of("Upgrade"));
        handshake.put("Upgrade", List.of("websocket"));
        Set<String> tried = new HashSet<>(4);
        int attempts = 0;
        boolean busySkipped = false;
        while (true) {
            Optional<Upstream> chosen = forwarder.choose(service, tried);
            if (chosen.isEmpty() && busySkipped && attempts == 0) {
                throw new OverloadedException("Every instance of '" + service + "' that could take it has handshakes"
                        + " waiting on it, or the balancer as many as it lets wait (balancer.handshakes-per-instance,"
                        + " balancer.max-handshakes); try again shortly.");
            }
            Upstream upstream = chosen.orElseThrow(() -> new BadGatewayException(
                    "No instance of '" + service + "' could answer."));
            String id = upstream.instance().id();
            tried.add(id);
            // A handshake that waits holds a request thread: instances that do not answer hold a
            // few of them for the read timeout, never all. Nothing was sent yet, so another
            // instance may take it.
            if (!takeSlot(id, busySkipped ? Duration.ZERO : slotWait)) {
                busySkipped = true;
                continue;
            }
            record.tried(id, attempts++ > 0);
            upstream.started();
            InstanceUpgrade upgrade;
            try {
                upgrade = transport.instances().upgrade(new InstanceRequest("GET", upstream.instance().host(), upstream.instance().port(),
                        rawPathAndQuery, handshake, null), new InstanceCall(), readTimeout);
            } catch (IOException | RuntimeException e) {
                upstream.finished(true);
                Failure failure = Failures.classify(e);
                forwarder.ejectIfBroken(upstream, failure, id + ": " + Failures.describe(e));
                if (forwarder.mayRetryUpgrade(failure, attempts)) {
                    continue;
                }
                if (failure == Failure.READ_TIMEOUT) {
                    throw new GatewayTimeoutException("Instance " + id + " of '" + service + "' did not answer in time.");
                }
                LOG.log(Level.WARNING, "No instance of {0} could take the WebSocket {1}: {2}",
                        new Object[] {service, rawPathAndQuery, Failures.describe(e)});
                throw new BadGatewayException("No instance of '" + service + "' could answer.");
            } finally {
                handshakes.giveBack(id);
            }
            if (!upgrade.switched()) {
                upstream.finished(upgrade.status() >= 500);
                relayRefusal(request, response, upgrade, id, record);
                return false;
            }
            Tunnel tunnel;
            // Taken before the switch: the same connection carries the tunnel.
            ClientConnection clientConnection = ClientConnection.of(request);
            try {
                tunnel = request.upgrade(Tunnel.class);
            } catch (ServletException | RuntimeException e) {
                upgrade.channel().close();
                upstream.finished(false);
                throw new BadGatewayException("The balancer could not open the tunnel; the error is in its log.");
            }
            response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
            HeaderRules.endToEnd(upgrade.headers()).forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
            response.setHeader("Upgrade", "websocket");
            response.setHeader("Connection", "Upgrade");
            response.setHeader(UpstreamAnswer.INSTANCE_HEADER, id);
            String client = request.getRemoteAddr();
            String path = request.getRequestURI();
            try {
                tunnel.join(hub, upgrade.channel(), upgrade.leftover(), id, closed -> {
                    upstream.finished(false);
                    tunnels.decrementAndGet();
                    accessLog.record(record.received, client, "GET", path, 101, id,
                            Duration.ofNanos(System.nanoTime() - record.startedNanos), record.retries(),
                            "up=" + closed.bytesUp() + "B down=" + closed.bytesDown() + "B closed="
                                    + closed.closedBecause().replace(' ', '_'));
                }, clientConnection::abort);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Could not watch the instance's side of a tunnel to " + id, e);
                upgrade.channel().close();
                upstream.finished(false);
                return false;
            }
            return true;
        }
    }

    /**
     * One of the instance's handshake slots. Only the first instance found busy is waited for, so
     * a handshake holds its thread for balancer.handshake-wait at most before it has a slot.
     */
    private boolean takeSlot(String instanceId, Duration patience) {
        try {
            return handshakes.take(instanceId, patience);
        } catch (InterruptedException e) {
            // The balancer is stopping: no other instance is tried, so none is taken for broken.
            Thread.currentThread().interrupt();
            throw new OverloadedException("The balancer stopped before a WebSocket handshake could go out; try again shortly.");
        }
    }

    private void relayRefusal(HttpServletRequest request, HttpServletResponse response, InstanceUpgrade refusal, String id,
                              AccessRecord record) throws IOException {
        response.setStatus(refusal.status());
        HeaderRules.endToEnd(refusal.headers()).forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        response.setHeader(UpstreamAnswer.INSTANCE_HEADER, id);
        response.setContentLength(refusal.body().length);
        response.getOutputStream().write(refusal.body());
        log(request, response, record);
    }

    private void answerError(HttpServletRequest request, HttpServletResponse response, AccessRecord record,
                             ProxyException error) throws IOException {
        ErrorBody.write(response, error);
        log(request, response, record);
    }

    private void log(HttpServletRequest request, HttpServletResponse response, AccessRecord record) {
        accessLog.record(record.received, request.getRemoteAddr(), request.getMethod(), request.getRequestURI(),
                response.getStatus(), record.instance(), Duration.ofNanos(System.nanoTime() - record.startedNanos),
                record.retries());
    }
}
