package dev.ruta.operations.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

@ApplicationPath("api")
@OpenAPIDefinition(info = @Info(title = "Ruta operations service", version = "1.0",
        description = "Exact decimal arithmetic, answered by whichever instance the balancer picked."))
public class OperationsApplication extends Application {
}
