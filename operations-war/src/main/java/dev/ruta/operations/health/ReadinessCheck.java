package dev.ruta.operations.health;

import dev.ruta.operations.arithmetic.Operation;
import dev.ruta.operations.instance.InstanceIdentity;
import dev.ruta.operations.registration.ConsulRegistration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the arithmetic answers; the registration state is reported but does not count. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    /** Registration waits until this name shows in /health/ready: the application is deployed. */
    public static final String NAME = ConsulRegistration.DEPLOYED_CHECK;

    private final InstanceIdentity identity;
    private final ConsulRegistration registration;

    @Inject
    public ReadinessCheck(InstanceIdentity identity, ConsulRegistration registration) {
        this.identity = identity;
        this.registration = registration;
    }

    @Override
    public HealthCheckResponse call() {
        boolean computes = Operation.ADD.apply(BigDecimal.ONE, BigDecimal.ONE).compareTo(BigDecimal.valueOf(2)) == 0;
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .status(computes)
                .withData("served", identity.served())
                .withData("consul", registration.state().name().toLowerCase(java.util.Locale.ROOT));
        identity.current().ifPresent(instance -> response.withData("instance", instance.id()));
        return response.build();
    }
}
