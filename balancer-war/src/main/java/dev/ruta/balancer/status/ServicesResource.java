package dev.ruta.balancer.status;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("services")
@Produces(MediaType.APPLICATION_JSON)
@ApplicationScoped
public class ServicesResource {

    private final ServicesViews views;

    protected ServicesResource() {
        this(null);
    }

    @Inject
    public ServicesResource(ServicesViews views) {
        this.views = views;
    }

    @GET
    public ServicesView services() {
        return views.current();
    }
}
