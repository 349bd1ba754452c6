package dev.ruta.balancer.status;

import dev.ruta.balancer.proxy.edge.FilterPlacement;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Puts {@link AdminPortFilter} in place only when {@code balancer.admin-port} is set. */
@WebListener
public class AdminPortSetup implements ServletContextListener {

    private boolean separated;

    @Inject
    void configure(@ConfigProperty(name = "balancer.admin-port") Optional<Integer> adminPort) {
        this.separated = adminPort.isPresent();
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        if (separated) {
            FilterPlacement.onEveryPath(event.getServletContext(), AdminPortFilter.class);
        }
    }
}
