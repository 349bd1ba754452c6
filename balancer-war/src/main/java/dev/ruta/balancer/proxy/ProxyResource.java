package dev.ruta.balancer.proxy;

import dev.ruta.balancer.proxy.error.BodyTooLargeException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** {@code /api/<service>/...}, any method: one forwarding path for every service. */
@Path("{service}{rest: (/.*)?}")
@RequestScoped
public class ProxyResource {

    private final Forwarder forwarder;
    private final long maxBody;

    @Context
    private HttpServletRequest request;

    @Context
    private HttpHeaders headers;

    protected ProxyResource() {
        this(null, 0);
    }

    @Inject
    public ProxyResource(Forwarder forwarder, @ConfigProperty(name = "balancer.max-body") long maxBody) {
        this.forwarder = forwarder;
        this.maxBody = maxBody;
    }

    @GET
    public Response get(@PathParam("service") String service) {
        return forward(service, null);
    }

    @HEAD
    public Response head(@PathParam("service") String service) {
        return forward(service, null);
    }

    @OPTIONS
    public Response options(@PathParam("service") String service) {
        return forward(service, null);
    }

    @DELETE
    public Response delete(@PathParam("service") String service) {
        return forward(service, null);
    }

    @POST
    public Response post(@PathParam("service") String service, InputStream body) {
        return forward(service, body);
    }

    @PUT
    public Response put(@PathParam("service") String service, InputStream body) {
        return forward(service, body);
    }

    @PATCH
    public Response patch(@PathParam("service") String service, InputStream body) {
        return forward(service, body);
    }

    private Response forward(String service, InputStream body) {
        String rawPath = request.getRequestURI();
        String query = request.getQueryString();
        PathGuard.check(service, rawPath, query);
        Exchange exchange = new Exchange(request.getMethod(), query == null ? rawPath : rawPath + "?" + query,
                HeaderRules.forwarded(headers.getRequestHeaders(), request.getRemoteAddr(),
                        request.getHeader(HttpHeaders.HOST), request.getScheme()),
                readBody(body));
        return forwarder.forward(service, exchange).toResponse();
    }

    /** Reads at most max-body + 1 bytes, so an oversized body is refused without being buffered whole. */
    private byte[] readBody(InputStream body) {
        if (body == null) {
            return new byte[0];
        }
        if (request.getContentLengthLong() > maxBody) {
            throw tooLarge();
        }
        try {
            byte[] bytes = body.readNBytes(Math.toIntExact(Math.min(Integer.MAX_VALUE - 8L, maxBody + 1)));
            if (bytes.length > maxBody) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private BodyTooLargeException tooLarge() {
        return new BodyTooLargeException("The request body is over the " + maxBody + "-byte limit (balancer.max-body).");
    }
}
