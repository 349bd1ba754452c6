package dev.ruta.operations.api;

import dev.ruta.operations.instance.InstanceIdentity;
import dev.ruta.operations.instance.ServiceInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("instance")
@Produces(MediaType.APPLICATION_JSON)
@ApplicationScoped
@Tag(name = "instance")
public class InstanceResource {

    private final InstanceIdentity identity;

    protected InstanceResource() {
        this(null);
    }

    @Inject
    public InstanceResource(InstanceIdentity identity) {
        this.identity = identity;
    }

    @GET
    @Operation(summary = "The instance that answered: its ID, address, greeting and how much it has served")
    public InstanceDescription describe() {
        ServiceInstance self = identity.current()
                .orElseThrow(() -> new ServiceUnavailableException("The server is still starting.", 1L));
        return new InstanceDescription(self.id(), self.name(), self.address(), self.port(), self.message(),
                identity.startedAt(), identity.served());
    }
}
