package dev.ruta.operations.api;

import dev.ruta.operations.instance.InstanceIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

/** Counts every API request answered, errors included: they were served too. */
@Provider
@ApplicationScoped
public class ServedRequestCounter implements ContainerResponseFilter {

    private final InstanceIdentity identity;

    protected ServedRequestCounter() {
        this(null);
    }

    @Inject
    public ServedRequestCounter(InstanceIdentity identity) {
        this.identity = identity;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        identity.recordServed();
    }
}
