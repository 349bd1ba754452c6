package dev.ruta.balancer.proxy;

import dev.ruta.balancer.proxy.error.ProxyExceptionMapper;
import dev.ruta.balancer.proxy.error.UnexpectedExceptionMapper;
import dev.ruta.balancer.proxy.error.WebApplicationExceptionMapper;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** Everything under /api is forwarded; the rest of the WAR (status, page) is not. */
@ApplicationPath("api")
public class ProxyApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ProxyResource.class, ProxyExceptionMapper.class, WebApplicationExceptionMapper.class,
                UnexpectedExceptionMapper.class);
    }
}
