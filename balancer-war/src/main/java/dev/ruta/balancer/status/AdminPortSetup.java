package dev.ruta.balancer.status;

import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.EnumSet;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Puts {@link AdminPortFilter} in front of every path only when {@code balancer.admin-port} is
 * set. Payara runs its per-component bookkeeping (invocation and security context, before and
 * after) around every filter a request passes, so a filter with nothing to do still cost each
 * forwarded request about 1.5% of the balancer's CPU (JFR).
 */
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
            FilterRegistration.Dynamic filter = event.getServletContext()
                    .addFilter(AdminPortFilter.class.getSimpleName(), AdminPortFilter.class);
            filter.setAsyncSupported(true);
            filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        }
    }
}
