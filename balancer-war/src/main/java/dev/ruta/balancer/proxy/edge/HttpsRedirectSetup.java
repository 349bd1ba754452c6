package dev.ruta.balancer.proxy.edge;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Puts {@link HttpsRedirectFilter} in place only when {@code balancer.https-redirect-port} is set. */
@WebListener
public class HttpsRedirectSetup implements ServletContextListener {

    private boolean redirecting;

    @Inject
    void configure(@ConfigProperty(name = "balancer.https-redirect-port") Optional<Integer> httpsPort) {
        this.redirecting = httpsPort.isPresent();
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        if (redirecting) {
            FilterPlacement.onEveryPath(event.getServletContext(), HttpsRedirectFilter.class);
        }
    }
}
