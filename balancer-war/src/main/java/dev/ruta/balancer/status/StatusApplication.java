package dev.ruta.balancer.status;

import dev.ruta.balancer.error.UnexpectedExceptionMapper;
import dev.ruta.balancer.error.WebApplicationExceptionMapper;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

@ApplicationPath("balancer")
public class StatusApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ServicesResource.class, WebApplicationExceptionMapper.class, UnexpectedExceptionMapper.class);
    }
}
