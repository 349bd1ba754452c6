package dev.ruta.operations.registration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.operations.OperationsDeployments;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.TestHttp;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Registration against a real Consul agent. Each test deploys the service itself, so it can
 * decide whether Consul is up at that moment, and undeploys it to see it leave.
 */
@ExtendWith({ConsulExtension.class, ArquillianExtension.class})
@RunAsClient
class ConsulRegistrationIT {

    private static final String DEPLOYMENT = "registering";
    private static final String SERVICE = "operations";
    private static final Duration PASSING_WITHIN = Duration.ofSeconds(30);

    @ArquillianResource
    private Deployer deployer;

    private boolean deployed;

    @Deployment(name = DEPLOYMENT, managed = false)
    static WebArchive deployment() {
        return OperationsDeployments.withShippedLibraries(OperationsDeployments.war("registering", Map.of(
                        "consul.url", ConsulAgent.shared().httpUrl().toString(),
                        "service.address", "127.0.0.1",
                        "service.tags", "balanced,arquillian",
                        "service.message", "registration test",
                        "service.check.interval", "1s",
                        "consul.resync-interval", "1s",
                        "consul.retry.initial-delay", "200ms",
                        "consul.retry.max-delay", "1s"),
                "registration", "instance", "health", "arithmetic"));
    }

    @AfterEach
    void undeploy(ConsulAgent consul) {
        consul.start();
        if (deployed) {
            deployer.undeploy(DEPLOYMENT);
        }
    }

    @Test
    void registersPassingWithItsRealAddressPortTagsAndMetaThenLeavesOnUndeploy(ConsulAgent consul) {
        deploy();
        JsonObject service = awaitOnePassing(consul);
        int port = service.getInt("Port");
        assertEquals("operations-127.0.0.1-" + port, service.getString("ID"));
        assertEquals("127.0.0.1", service.getString("Address"));
        assertEquals(List.of("balanced", "arquillian"), service.getJsonArray("Tags").getValuesAs(jakarta.json.JsonString::getString));
        assertEquals("registration test", service.getJsonObject("Meta").getString("message"));
        assertTrue(service.getJsonObject("Meta").getString("version").matches("\\d+\\.\\d+.*"));
        assertEquals(200, TestHttp.get(URI.create("http://127.0.0.1:" + port + "/health/ready")).status(),
                "Consul checks the port the server really listens on");

        deployer.undeploy(DEPLOYMENT);
        deployed = false;
        await("deregistered").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> consul.api().registered(SERVICE).isEmpty());
    }

    @Test
    void startsWithConsulDownAndRegistersOnceItIsUpThenAgainAfterTheAgentRestarts(ConsulAgent consul) {
        consul.stop();
        deploy();
        consul.start();
        String id = awaitOnePassing(consul).getString("ID");

        consul.restart(); // a dev agent forgets every registration when it restarts
        await("registered again after the agent restarted").atMost(PASSING_WITHIN)
                .until(() -> consul.api().passingInstance(SERVICE, id).isPresent());
    }

    @Test
    void readinessDoesNotDependOnConsul(ConsulAgent consul) {
        deploy();
        int port = awaitOnePassing(consul).getInt("Port");
        consul.stop();
        HttpReply ready = TestHttp.get(URI.create("http://127.0.0.1:" + port + "/health/ready"));
        assertEquals(200, ready.status(), ready.body());
        assertTrue(ready.body().contains("\"UP\""), ready.body());
        assertEquals(200, TestHttp.get(URI.create("http://127.0.0.1:" + port + "/health/live")).status());
    }

    private void deploy() {
        deployer.deploy(DEPLOYMENT);
        deployed = true;
    }

    private static JsonObject awaitOnePassing(ConsulAgent consul) {
        return await("one passing instance of " + SERVICE).atMost(PASSING_WITHIN).pollInterval(Duration.ofMillis(200))
                .until(() -> consul.api().passing(SERVICE), passing -> passing.size() == 1)
                .get(0);
    }
}
