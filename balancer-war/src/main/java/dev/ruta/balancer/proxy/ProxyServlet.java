package dev.ruta.balancer.proxy;

import dev.ruta.balancer.proxy.error.BadGatewayException;
import dev.ruta.balancer.proxy.error.ErrorBody;
import dev.ruta.balancer.proxy.error.InvalidHeaderException;
import dev.ruta.balancer.proxy.error.InvalidPathException;
import dev.ruta.balancer.proxy.error.MethodNotAllowedException;
import dev.ruta.balancer.proxy.error.OverloadedException;
import dev.ruta.balancer.proxy.error.ProxyException;
import dev.ruta.balancer.proxy.error.UnknownServiceException;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
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
    /** Bodies up to this size are read whole, so that a retry can send them again. */
    private static final int BUFFERED_BODY = 64 * 1024;

    private Forwarder forwarder;
    private InFlightLimit limit;
    private long maxBody;
    private Duration bodyTimeout;

    @Inject
    void configure(Forwarder forwarder, InFlightLimit limit, @ConfigProperty(name = "balancer.max-body") long maxBody,
                   @ConfigProperty(name = "balancer.body-timeout") Duration bodyTimeout) {
        this.forwarder = forwarder;
        this.limit = limit;
        this.maxBody = maxBody;
        this.bodyTimeout = bodyTimeout;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!limit.tryAcquire()) {
            ErrorBody.write(response, new OverloadedException("The balancer has " + limit.max()
                    + " requests in flight, its limit (balancer.max-in-flight); try again shortly."));
            return;
        }
        AsyncContext async = request.startAsync();
        // The forwarder times the instance out; a stream (Server-Sent Events) may last for hours.
        async.setTimeout(0);
        try {
            String service = serviceOf(request.getRequestURI());
            String method = request.getMethod();
            if (!METHODS.contains(method)) {
                throw new MethodNotAllowedException("The balancer does not forward " + method + " requests.");
            }
            String rawPath = request.getRequestURI();
            String query = request.getQueryString();
            PathGuard.check(service, rawPath, query);
            checkContentType(request.getContentType());
            Map<String, List<String>> headers = HeaderRules.forwarded(headers(request), request.getRemoteAddr(),
                    request.getHeader("Host"), request.getScheme());
            String pathAndQuery = query == null ? rawPath : rawPath + "?" + query;
            Function<RequestBody, CompletableFuture<UpstreamAnswer>> forward =
                    body -> forwarder.forward(service, new Exchange(method, pathAndQuery, headers, body, null));
            CompletableFuture<RequestBody> body = body(request);
            // A streamed body is written to the instance as the client sends it, by the thread that
            // forwards it: one of the forwarder's, so a slow client never holds one of Payara's.
            (isStreamed(body) ? body.thenComposeAsync(forward, forwarder.relays()) : body.thenCompose(forward))
                    .whenComplete((answer, error) -> relay(async, answer, error));
        } catch (ProxyException e) {
            fail(async, e);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Unexpected failure while forwarding a request", e);
            fail(async, new BadGatewayException("The balancer could not forward the request; the error is in its log."));
        }
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
     * Small bodies are read whole, without blocking, within balancer.body-timeout; larger ones
     * and those of unknown length stream through within the same limits.
     */
    private CompletableFuture<RequestBody> body(HttpServletRequest request) {
        long declared = request.getContentLengthLong();
        if (declared > maxBody) {
            throw BodyLimit.tooLarge(maxBody);
        }
        if (declared == 0 || (declared < 0 && request.getHeader("Transfer-Encoding") == null)) {
            return CompletableFuture.completedFuture(RequestBody.NONE);
        }
        try {
            if (declared > 0 && declared <= BUFFERED_BODY) {
                return BodyReader.read(request.getInputStream(), (int) declared)
                        .orTimeout(bodyTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .thenApply(RequestBody::buffered);
            }
            return CompletableFuture.completedFuture(RequestBody.streamed(
                    new BodyLimit(request.getInputStream(), maxBody, System.nanoTime() + bodyTimeout.toNanos()), declared));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static boolean isStreamed(CompletableFuture<RequestBody> body) {
        return body.isDone() && !body.isCompletedExceptionally() && body.join().isStreamed();
    }

    private void relay(AsyncContext async, UpstreamAnswer answer, Throwable error) {
        if (error != null) {
            Throwable cause = Failures.unwrap(error);
            if (cause instanceof ProxyException proxyException) {
                fail(async, proxyException);
            } else if (cause instanceof TimeoutException) {
                fail(async, BodyLimit.tooSlow());
            } else if (cause instanceof IOException) {
                // The client broke off while sending its body: nobody is left to answer.
                LOG.log(Level.FINE, "Could not read the request body", cause);
                end(async);
            } else {
                LOG.log(Level.SEVERE, "Unexpected failure while forwarding a request", cause);
                fail(async, new BadGatewayException("The balancer could not forward the request; the error is in its log."));
            }
            return;
        }
        try (answer) {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            response.setStatus(answer.status());
            answer.headers().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
            response.setHeader(UpstreamAnswer.INSTANCE_HEADER, answer.instanceId());
            if (answer.length() >= 0) {
                response.setContentLengthLong(answer.length());
            }
            if (answer.body() != null && !"HEAD".equals(((HttpServletRequest) async.getRequest()).getMethod())) {
                if (answer.length() < 0) {
                    // A stream: its status and headers go out now, not with its first event.
                    response.flushBuffer();
                }
                copy(answer.body(), response.getOutputStream());
            }
        } catch (IOException | RuntimeException e) {
            // The client left, or the instance broke off mid-body: nothing more can be said to the client.
            LOG.log(Level.FINE, "Relay of an answer from " + answer.instanceId() + " broke off", e);
        } finally {
            end(async);
        }
    }

    /**
     * Reads no more than has arrived (Jersey's entity streams block until a read is filled) and
     * flushes whenever the instance has nothing more ready, so a stream of events arrives event
     * by event while a large body still moves in large writes.
     */
    private static void copy(InputStream body, ServletOutputStream out) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        while (true) {
            int ready = body.available();
            int read = body.read(buffer, 0, ready > 0 ? Math.min(ready, buffer.length) : 1);
            if (read == -1) {
                return;
            }
            out.write(buffer, 0, read);
            if (body.available() == 0) {
                out.flush();
            }
        }
    }

    private void fail(AsyncContext async, ProxyException exception) {
        try {
            ErrorBody.write((HttpServletResponse) async.getResponse(), exception);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Could not send an error to the client", e);
        } finally {
            end(async);
        }
    }

    private void end(AsyncContext async) {
        try {
            async.complete();
        } finally {
            limit.release();
        }
    }
}
