package dev.ruta.balancer.proxy.edge;

import dev.ruta.balancer.error.ErrorBody;
import dev.ruta.balancer.error.InvalidPathException;
import dev.ruta.balancer.error.MethodNotAllowedException;
import dev.ruta.balancer.proxy.http.PathGuard;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Refuses, on every path of the balancer, what the request line alone makes unsafe, before
 * anything answers it:
 * <ul>
 * <li>a raw path with a dot segment, plain or encoded. Payara resolves
 * {@code /api/operations/%2e%2e/%2e%2e/balancer/services} into {@code /balancer/services} before
 * it chooses what answers, so the forwarding servlet never sees such a request; this filter reads
 * the path as the client sent it ({@code getRequestURI()} is not decoded);</li>
 * <li>TRACE, which a default servlet would answer by echoing the request back.</li>
 * </ul>
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class RequestLineFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("TRACE".equals(request.getMethod())) {
            ErrorBody.write(response, new MethodNotAllowedException("The balancer does not answer TRACE requests."));
            return;
        }
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
