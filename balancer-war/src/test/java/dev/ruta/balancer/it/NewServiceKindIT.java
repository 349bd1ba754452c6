package dev.ruta.balancer.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ruta.balancer.it.greeter.GreeterApplication;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.TestHttp;
import java.io.File;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed's "add a different microservice" question: a small WAR of another kind, registered
 * in Consul with the routing tag, becomes routable through a balancer that was already running.
 */
@ExtendWith({ConsulExtension.class, ArquillianExtension.class})
@RunAsClient
class NewServiceKindIT {

    @Deployment
    static WebArchive greeter() {
        return ShrinkWrap.create(WebArchive.class, "greeter.war")
                .addPackage(GreeterApplication.class.getPackage())
                .addAsWebInfResource(new File("src/main/webapp/WEB-INF/glassfish-web.xml"), "glassfish-web.xml");
    }

    @ArquillianResource
    private URL deployed;

    @Test
    void aTaggedServiceOfAnotherKindBecomesRoutableWithoutRestartingTheBalancer(ConsulAgent consul) {
        try (LocalSystem system = new LocalSystem(consul)) {
            system.startBalancer(Map.of()).awaitUp("/health/ready");
            assertEquals(404, TestHttp.get(system.viaBalancer("/api/greeter/hello")).status(), "not routed yet");

            consul.api().register("{\"ID\":\"greeter-1\",\"Name\":\"greeter\",\"Address\":\"127.0.0.1\",\"Port\":"
                    + deployed.getPort() + ",\"Tags\":[\"balanced\"],\"Check\":{\"HTTP\":\"http://127.0.0.1:"
                    + deployed.getPort() + "/health/ready\",\"Interval\":\"1s\"}}");
            try {
                HttpReply reply = await("greeter routed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> TestHttp.get(system.viaBalancer("/api/greeter/hello?name=Ruta")), r -> r.status() == 200);
                assertEquals("Hola, Ruta", reply.json().getString("greeting"));
                assertEquals("greeter-1", reply.header("X-Ruta-Instance"));
            } finally {
                consul.api().deregister("greeter-1");
            }
            await("greeter no longer routed once it leaves Consul").atMost(Duration.ofSeconds(30))
                    .until(() -> TestHttp.get(system.viaBalancer("/api/greeter/hello")).status() == 404);
        }
    }
}
