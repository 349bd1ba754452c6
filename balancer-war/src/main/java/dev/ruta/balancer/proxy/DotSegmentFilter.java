package dev.ruta.balancer.proxy;

import dev.ruta.balancer.proxy.error.ErrorBody;
import dev.ruta.balancer.proxy.error.InvalidPathException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Refuses, on every path of the balancer, a request whose raw path has a dot segment, plain or
 * encoded. Payara resolves {@code /api/operations/%2e%2e/%2e%2e/balancer/services} into
 * {@code /balancer/services} before it chooses what answers, so the forwarding servlet never
 * sees such a request; this filter reads the path as the client sent it
 * ({@code getRequestURI()} is not decoded), whatever it was resolved to.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class DotSegmentFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean refused;
        try {
            refused = PathGuard.hasDotSegment(request.getRequestURI());
        } catch (InvalidPathException e) {
            ErrorBody.write(response, e);
            return;
        }
        if (refused) {
            ErrorBody.write(response, new InvalidPathException("Dot segments are not allowed in paths."));
            return;
        }
        chain.doFilter(request, response);
    }
}
