package dev.ruta.balancer.proxy.edge;

import dev.ruta.balancer.accesslog.AccessLog;
import dev.ruta.balancer.error.BadGatewayException;
import dev.ruta.balancer.error.ErrorBody;
import dev.ruta.balancer.error.InvalidHeaderException;
import dev.ruta.balancer.error.InvalidPathException;
import dev.ruta.balancer.error.MethodNotAllowedException;
import dev.ruta.balancer.error.OverloadedException;
import dev.ruta.balancer.error.ProxyException;
import dev.ruta.balancer.error.UnknownServiceException;
import dev.ruta.balancer.proxy.body.AnswerRelay;
import dev.ruta.balancer.proxy.body.BodyReader;
import dev.ruta.balancer.proxy.body.StalledClients;
import dev.ruta.balancer.proxy.body.UpstreamAnswer;
import dev.ruta.balancer.proxy.client.Exchange;
import dev.ruta.balancer.proxy.client.Failures;
import dev.ruta.balancer.proxy.client.RequestBody;
import dev.ruta.balancer.proxy.exchange.AccessRecord;
import dev.ruta.balancer.proxy.exchange.ExchangeScope;
import dev.ruta.balancer.proxy.exchange.Forwarder;
import dev.ruta.balancer.proxy.http.HeaderRules;
import dev.ruta.balancer.proxy.http.PathGuard;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code /api/<service>/...}, any method: one forwarding path for every service. An
 * asynchronous servlet rather than a JAX-RS resource: the request is handed to the
 * {@link Forwarder} and the container's thread goes back to its pool at once; the answer is
 * written when the instance's arrives.
 */
@WebServlet(urlPatterns = "/api/*", asyncSupported = true)
public class ProxyServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(ProxyServlet.class.getName());
    private static final String PREFIX = "/api/";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH");

    private Forwarder forwarder;
    private WebSocketForwarding webSockets;
    private StalledClients stalledClients;
    private InFlightLimit limit;
    private AccessLog accessLog;
    private long maxBody;
    private Duration bodyTimeout;
    private long maxAnswerBacklog;
    /** Large request bodies, and answers a client is slow to take, wait here: the server's own temporary folder. */
    private final Path spoolFolder = Path.of(System.getProperty("java.io.tmpdir"));

    @Inject
    void configure(Forwarder forwarder, WebSocketForwarding webSockets, StalledClients stalledClients, InFlightLimit limit, AccessLog accessLog, @ConfigProperty(name = "balancer.max-body") long maxBody,
                   @ConfigProperty(name = "balancer.body-timeout") Duration bodyTimeout,
                   @ConfigProperty(name = "balancer.max-answer-backlog") long maxAnswerBacklog) {
        this.forwarder = forwarder;
        this.webSockets = webSockets;
        this.stalledClients = stalledClients;
        this.limit = limit;
        this.accessLog = accessLog;
        this.maxBody = maxBody;
        this.bodyTimeout = bodyTimeout;
        this.maxAnswerBacklog = maxAnswerBacklog;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        AccessRecord record = new AccessRecord();
        if (WebSocketForwarding.isWebSocketUpgrade(request)) {
            tunnel(request, response, record);
            return;
        }
        if (!limit.tryAcquire()) {
            ErrorBody.write(response, new OverloadedException("The balancer has " + limit.max()
                    + " requests in flight, its limit (balancer.max-in-flight); try again shortly."));
            log(request, response, record);
            return;
        }
        AsyncContext async = request.startAsync();
        // The forwarder times the instance out; a stream (Server-Sent Events) may last for hours.
        async.setTimeout(0);
        ExchangeScope scope = new ExchangeScope(async, record, () -> finish(async, record));
        try {
            String service = serviceOf(request.getRequestURI());
            String method = request.getMethod();
            if ("CONNECT".equals(method)) {
                // Payara holds a CONNECT's connection open after any answer, waiting for the
                // tunnel's bytes: the refusal ends it.
                failAndClose(scope, new MethodNotAllowedException("The balancer does not forward CONNECT requests."));
                return;
            }
            if (!METHODS.contains(method)) {
                throw new MethodNotAllowedException("The balancer does not forward " + method + " requests.");
            }
            String pathAndQuery = checkedPathAndQuery(request, service);
            checkContentType(request.getContentType());
            forwarder.checkRoutable(service);
            Map<String, List<String>> headers = forwardedHeaders(request);
            CompletableFuture<RequestBody> reading = body(request);
            reading.thenCompose(body -> forwarder.forward(service, new Exchange(method, pathAndQuery, headers, body), scope))
                    .whenComplete((answer, error) -> {
                        // No instance is tried after this, so the body's file goes before the
                        // client hears back: a client that sees its answer sees no file left.
                        reading.thenAccept(RequestBody::release);
                        relaySafely(scope, answer, error);
                    });
        } catch (ProxyException e) {
            fail(scope, e);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Unexpected failure while forwarding a request", e);
            fail(scope, new BadGatewayException("The balancer could not forward the request; the error is in its log."));
        }
    }

    /** A WebSocket handshake: the same path rules, then a tunnel of its own limit, not a forwarded request. */
    private void tunnel(HttpServletRequest request, HttpServletResponse response, AccessRecord record) throws IOException {
        try {
            String service = serviceOf(request.getRequestURI());
            String pathAndQuery = checkedPathAndQuery(request, service);
            forwarder.checkRoutable(service);
            webSockets.forward(request, response, service, pathAndQuery, forwardedHeaders(request), record);
        } catch (ProxyException e) {
            ErrorBody.write(response, e);
            log(request, response, record);
        }
    }

    /** The raw path and query to send on, once they are known to stay inside the service. */
    private static String checkedPathAndQuery(HttpServletRequest request, String service) {
        String rawPath = request.getRequestURI();
        String query = request.getQueryString();
        PathGuard.check(service, rawPath, query);
        return query == null ? rawPath : rawPath + "?" + query;
    }

    private static Map<String, List<String>> forwardedHeaders(HttpServletRequest request) {
        return HeaderRules.forwarded(headers(request), request.getRemoteAddr(), request.getHeader("Host"),
                request.getScheme());
    }

    /** The REST client parses it; one that does not parse is the client's 400, not an instance's failure. */
    private static void checkContentType(String contentType) {
        if (contentType != null) {
            try {
                MediaType.valueOf(contentType);
            } catch (IllegalArgumentException e) {
                throw new InvalidHeaderException("The Content-Type '" + contentType + "' is not a media type.");
            }
        }
    }

    private static String serviceOf(String rawPath) {
        if (!rawPath.startsWith(PREFIX)) {
            throw new UnknownServiceException("Forwarded paths are /api/<service>/...");
        }
        int end = rawPath.indexOf('/', PREFIX.length());
        String service = rawPath.substring(PREFIX.length(), end < 0 ? rawPath.length() : end);
        if (service.isEmpty()) {
            throw new InvalidPathException("Forwarded paths are /api/<service>/...");
        }
        return service;
    }

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            List<String> values = new ArrayList<>(1);
            request.getHeaders(name).asIterator().forEachRemaining(values::add);
            headers.put(name, values);
        }
        return headers;
    }

    /**
     * The body is read whole, without blocking, within balancer.body-timeout and balancer.max-body,
     * before any instance is called: a slow client then holds neither a thread nor an instance.
     */
    private CompletableFuture<RequestBody> body(HttpServletRequest request) {
        long declared = request.getContentLengthLong();
        if (declared > maxBody) {
            throw BodyReader.tooLarge(maxBody);
        }
        if (declared == 0 || (declared < 0 && request.getHeader("Transfer-Encoding") == null)) {
            return CompletableFuture.completedFuture(RequestBody.NONE);
        }
        try {
            return BodyReader.read(request.getInputStream(), declared, maxBody, spoolFolder, bodyTimeout);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Whatever goes wrong here, the exchange ends: its permit, its answer, its client. */
    private void relaySafely(ExchangeScope scope, UpstreamAnswer answer, Throwable error) {
        try {
            relay(scope, answer, error);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Unexpected failure while relaying an answer", e);
            if (answer != null) {
                answer.abort(false);
            }
            cut(scope);
        }
    }

    private void relay(ExchangeScope scope, UpstreamAnswer answer, Throwable error) {
        if (error != null) {
            Throwable cause = Failures.unwrap(error);
            if (cause instanceof ProxyException proxyException) {
                fail(scope, proxyException);
            } else if (cause instanceof TimeoutException) {
                fail(scope, BodyReader.tooSlow());
            } else if (cause instanceof IOException) {
                // The client broke off while sending its body: nobody is left to answer.
                LOG.log(Level.FINE, "Could not read the request body", cause);
                scope.end();
            } else {
                LOG.log(Level.SEVERE, "Unexpected failure while forwarding a request", cause);
                fail(scope, new BadGatewayException("The balancer could not forward the request; the error is in its log."));
            }
            return;
        }
        AsyncContext async = scope.async();
        boolean relaying = false;
        try {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            response.setStatus(answer.status());
            answer.headers().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
            response.setHeader(UpstreamAnswer.INSTANCE_HEADER, answer.instanceId());
            if (answer.length() >= 0) {
                response.setContentLengthLong(answer.length());
            }
            boolean head = "HEAD".equals(((HttpServletRequest) async.getRequest()).getMethod());
            if (answer.whole() != null) {
                if (!head) {
                    // Most answers: one write, which the socket's buffers take whatever the
                    // client's pace, without the cost of a write listener.
                    response.getOutputStream().write(answer.whole());
                }
                return;
            }
            if (head) {
                return;
            }
            if (answer.length() < 0) {
                // A stream: its status and headers go out now, not with its first event.
                response.flushBuffer();
            }
            ServletOutputStream out = response.getOutputStream();
            // A body that may outrun its reader: what waits for a client stays within bounds.
            ClientConnection.of(async.getRequest()).boundSendBuffer();
            relaying = true;
            AnswerRelay.relay(answer, out, spoolFolder, maxAnswerBacklog, stalledClients, ending -> {
                switch (ending) {
                    case WHOLE -> scope.end();
                    case CLIENT_TOO_SLOW -> abort(scope);
                    case INSTANCE_BROKE_OFF, CLIENT_LEFT -> cut(scope);
                }
            });
        } catch (IOException e) {
            // The client left before its answer began: nothing more can be said to it.
            LOG.log(Level.FINE, "Relay of an answer from " + answer.instanceId() + " broke off", e);
            answer.abort(false);
            relaying = true;
            scope.end();
        } finally {
            if (!relaying) {
                answer.close();
                scope.end();
            }
        }
    }

    /** An answer already begun cannot be completed: the client's connection closes under it. */
    private void cut(ExchangeScope scope) {
        if (!scope.isEnded()) {
            ClientConnection.of(scope.async().getRequest()).close();
        }
        scope.end();
    }

    /** A client that takes nothing of its answer is let go at once, with whatever waits for it. */
    private void abort(ExchangeScope scope) {
        if (!scope.isEnded()) {
            ClientConnection.of(scope.async().getRequest()).abort();
        }
        scope.end();
    }

    private void fail(ExchangeScope scope, ProxyException exception) {
        try {
            ErrorBody.write((HttpServletResponse) scope.async().getResponse(), exception);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Could not send an error to the client", e);
        } finally {
            scope.end();
        }
    }

    /** The error goes out whole, then the connection closes, before the request is completed and recycled. */
    private void failAndClose(ExchangeScope scope, ProxyException exception) {
        try {
            HttpServletResponse response = (HttpServletResponse) scope.async().getResponse();
            response.setHeader("Connection", "close");
            ErrorBody.write(response, exception);
            response.flushBuffer();
            ClientConnection.of(scope.async().getRequest()).close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Could not send an error to the client", e);
        } finally {
            scope.end();
        }
    }

    private void finish(AsyncContext async, AccessRecord record) {
        // The permit goes first: a client that has its answer may send its next one at once.
        limit.release();
        try {
            log((HttpServletRequest) async.getRequest(), (HttpServletResponse) async.getResponse(), record);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not log a request", e);
        } finally {
            try {
                async.complete();
            } catch (RuntimeException e) {
                // Completed already, by the container, for a client that broke off.
                LOG.log(Level.FINE, "Could not complete a request", e);
            }
        }
    }

    private void log(HttpServletRequest request, HttpServletResponse response, AccessRecord record) {
        accessLog.record(record.received, request.getRemoteAddr(), request.getMethod(), request.getRequestURI(),
                response.getStatus(), record.instance(), Duration.ofNanos(System.nanoTime() - record.startedNanos),
                record.retries());
    }
}
