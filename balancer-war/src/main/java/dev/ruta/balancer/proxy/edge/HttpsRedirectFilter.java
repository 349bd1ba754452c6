package dev.ruta.balancer.proxy.edge;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * With {@code balancer.https-redirect-port} set, answers every plain-HTTP request 308 to the
 * same path and query over HTTPS on that port (308 rather than 301: the method and body are
 * kept). The admin port, on loopback behind an SSH tunnel, stays plain. In place only with the
 * key set ({@link HttpsRedirectSetup}).
 */
public class HttpsRedirectFilter extends HttpFilter {

    private int httpsPort;
    private int adminPort;

    @Inject
    void configure(@ConfigProperty(name = "balancer.https-redirect-port") Optional<Integer> httpsPort,
                   @ConfigProperty(name = "balancer.admin-port") Optional<Integer> adminPort) {
        this.httpsPort = httpsPort.orElse(0);
        this.adminPort = adminPort.orElse(0);
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (httpsPort > 0 && !request.isSecure() && request.getLocalPort() != adminPort) {
            String host = request.getServerName();
            if (host.contains(":") && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            String query = request.getQueryString();
            response.setStatus(308);
            response.setHeader("Location", "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort)
                    + request.getRequestURI() + (query == null ? "" : "?" + query));
            response.setContentLength(0);
            return;
        }
        chain.doFilter(request, response);
    }
}
