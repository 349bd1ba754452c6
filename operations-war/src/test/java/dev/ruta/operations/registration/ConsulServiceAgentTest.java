package dev.ruta.operations.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.ecwid.consul.v1.agent.model.NewService;
import dev.ruta.operations.instance.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsulServiceAgentTest {

    @Test
    void registrationCarriesIdentityTagsMetaAndAnHttpCheckOnReadiness() {
        ServiceInstance self = new ServiceInstance("operations-10.0.0.5-8081", "operations", "10.0.0.5", 8081,
                List.of("balanced"), "Hola desde la VM 1", "1.2.3");
        NewService service = ConsulServiceAgent.toConsul(self, new CheckSettings("/health/ready",
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMinutes(1)));

        assertEquals("operations-10.0.0.5-8081", service.getId());
        assertEquals("operations", service.getName());
        assertEquals("10.0.0.5", service.getAddress());
        assertEquals(8081, service.getPort());
        assertEquals(List.of("balanced"), service.getTags());
        assertEquals(Map.of("version", "1.2.3", "message", "Hola desde la VM 1"), service.getMeta());
        assertEquals("http://10.0.0.5:8081/health/ready", service.getCheck().getHttp());
        assertEquals("2s", service.getCheck().getInterval());
        assertEquals("1s", service.getCheck().getTimeout());
        assertEquals("60s", service.getCheck().getDeregisterCriticalServiceAfter());
    }
}
