package dev.ruta.balancer.status;

import dev.ruta.balancer.error.ErrorBody;
import dev.ruta.balancer.error.NotServedHereException;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * With {@code balancer.admin-port} set, keeps the admin surface (the routing table, events, the
 * page, metrics, health, OpenAPI: every path but {@code /api/...}) to that port, and traffic to
 * the others; each answers the other's paths 404. The port is the one the request arrived on,
 * which no header can change; the path is the one the container dispatches on, after it has
 * decoded and resolved it, so no spelling of a path reaches what it names on the wrong port.
 * In place only with the key set ({@link AdminPortSetup}).
 */
public class AdminPortFilter extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(AdminPortFilter.class.getName());
    private static final String TRAFFIC = "/api/";

    private int adminPort;

    @Inject
    void configure(@ConfigProperty(name = "balancer.admin-port") Optional<Integer> adminPort) {
        this.adminPort = adminPort.orElse(0);
        if (this.adminPort > 0) {
            LOG.log(Level.INFO, "The admin surface answers on port {0} only; other ports route /api/... alone", this.adminPort);
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (adminPort > 0) {
            String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
            boolean traffic = path.startsWith(TRAFFIC);
            if (request.getLocalPort() == adminPort && traffic) {
                ErrorBody.write(response, new NotServedHereException("This is the admin port: requests to services go to the traffic port."));
                return;
            }
            if (request.getLocalPort() != adminPort && !traffic) {
                ErrorBody.write(response, new NotServedHereException("Only /api/<service>/... is served on this port."));
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
