package dev.ruta.operations.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ecwid.consul.v1.agent.model.NewService;
import dev.ruta.operations.instance.ServiceInstance;
import dev.ruta.testing.RecordingServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsulServiceAgentTest {

    @Test
    void registrationCarriesIdentityTagsMetaAndAnHttpCheckOnReadiness() {
        ServiceInstance self = new ServiceInstance("operations-10.0.0.5-8081", "operations", "10.0.0.5", 8081,
                List.of("balanced"), "Hola desde la VM 1", "1.2.3");
        WeightedService service = ConsulServiceAgent.toConsul(self, new CheckSettings("/health/ready",
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMinutes(1)), 3);

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
        assertEquals(new WeightedService.Weights(3, 1), service.getWeights());
    }

    @Test
    void aWeightConsulWouldRefuseIsBroughtWithinItsRange() {
        assertEquals(1, ConsulRegistration.withinConsulsRange(0));
        assertEquals(1, ConsulRegistration.withinConsulsRange(-5));
        assertEquals(65535, ConsulRegistration.withinConsulsRange(Integer.MAX_VALUE));
        assertEquals(7, ConsulRegistration.withinConsulsRange(7));
    }

    @Test
    void theAclTokenTravelsInAHeaderNeverInTheUrl() {
        ServiceInstance self = new ServiceInstance("operations-127.0.0.1-8081", "operations", "127.0.0.1", 8081,
                List.of("balanced"), "hi", "1");
        try (RecordingServer agent = new RecordingServer("agent");
             ConsulServiceAgent consul = new ConsulServiceAgent(URI.create("http://127.0.0.1:" + agent.port()),
                     Optional.of("s3cret"), Duration.ofSeconds(5), 3)) {
            consul.register(self, new CheckSettings("/health/ready", Duration.ofSeconds(2), Duration.ofSeconds(1),
                    Duration.ofMinutes(1)));
            consul.isRegistered(self.id());
            consul.deregister(self.id());

            assertEquals(3, agent.received().size());
            assertTrue(agent.received().get(0).body().contains("\"Weights\":{\"Passing\":3,\"Warning\":1}"),
                    agent.received().get(0).body());
            for (RecordingServer.Received call : agent.received()) {
                assertEquals("s3cret", call.headers().getFirst("X-Consul-Token"), call.pathAndQuery());
                assertFalse(call.pathAndQuery().contains("s3cret"), call.pathAndQuery());
            }
        }
    }
}
