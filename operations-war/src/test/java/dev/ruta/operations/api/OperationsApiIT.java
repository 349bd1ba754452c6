package dev.ruta.operations.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.operations.OperationsDeployments;
import dev.ruta.testing.HttpReply;
import dev.ruta.testing.TestHttp;
import jakarta.json.JsonObject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URL;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON API over real HTTP on Payara Micro, without Consul. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OperationsApiIT {

    private static final String MESSAGE = "Hola desde la máquina de pruebas";

    @Deployment
    static WebArchive deployment() {
        return OperationsDeployments.war("operations-api", Map.of(
                        "consul.enabled", "false",
                        "service.address", "127.0.0.1",
                        "service.message", MESSAGE),
                "api", "arithmetic", "instance");
    }

    @ArquillianResource
    private URL deployed;

    /** Arquillian names the host by its network address; tests talk to loopback only. */
    private URI at(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + pathAndQuery);
    }

    @Test
    void listsTheSupportedOperations() {
        HttpReply reply = TestHttp.get(at("/api/operations"));
        assertEquals(200, reply.status());
        assertEquals("[{\"name\":\"add\",\"symbol\":\"+\"},{\"name\":\"subtract\",\"symbol\":\"-\"},"
                + "{\"name\":\"multiply\",\"symbol\":\"*\"},{\"name\":\"divide\",\"symbol\":\"/\"},"
                + "{\"name\":\"modulo\",\"symbol\":\"%\"},{\"name\":\"power\",\"symbol\":\"^\"}]", reply.body());
    }

    @Test
    void addsDecimalsExactlyByGet() {
        HttpReply reply = TestHttp.get(at("/api/operations/add?a=0.1&b=0.2"));
        assertEquals(200, reply.status());
        assertTrue(reply.header("Content-Type").startsWith("application/json"));
        JsonObject result = reply.json();
        assertEquals("add", result.getString("operation"));
        assertEquals(new BigDecimal("0.3"), result.getJsonNumber("result").bigDecimalValue());
        assertTrue(reply.body().contains("\"result\":0.3"), reply.body());
        assertEquals("operations-127.0.0.1-" + deployed.getPort(), result.getString("instance"));
    }

    @Test
    void computesFromAJsonBody() {
        HttpReply reply = TestHttp.post(at("/api/operations/divide"), "{\"a\": 1, \"b\": 3}");
        assertEquals(200, reply.status(), reply.body());
        assertEquals(new BigDecimal("0.3333333333333333333333333333333333"),
                reply.json().getJsonNumber("result").bigDecimalValue());
        assertEquals(new BigDecimal("2E+3"), TestHttp.post(at("/api/operations/multiply"), "{\"a\": \"2\", \"b\": 1e3}")
                .json().getJsonNumber("result").bigDecimalValue().stripTrailingZeros());
    }

    @Test
    void describesTheInstanceThatAnswered() {
        long servedBefore = TestHttp.get(at("/api/instance")).json().getJsonNumber("served").longValue();
        TestHttp.get(at("/api/operations/add?a=1&b=2"));
        JsonObject instance = TestHttp.get(at("/api/instance")).json();
        assertEquals("operations-127.0.0.1-" + deployed.getPort(), instance.getString("id"));
        assertEquals("operations", instance.getString("service"));
        assertEquals("127.0.0.1", instance.getString("address"));
        assertEquals(deployed.getPort(), instance.getInt("port"));
        assertEquals(MESSAGE, instance.getString("message"));
        assertTrue(java.time.Instant.parse(instance.getString("startedAt")).isBefore(java.time.Instant.now()));
        assertEquals(servedBefore + 2, instance.getJsonNumber("served").longValue());
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "GET  | /api/operations/add?a=1                     | 400 | missing-operand",
        "GET  | /api/operations/add?a=1&b=                  | 400 | missing-operand",
        "GET  | /api/operations/add?a=abc&b=1               | 400 | invalid-operand",
        "GET  | /api/operations/add?a=1e999999999&b=1       | 400 | operand-out-of-range",
        "GET  | /api/operations/power?a=2&b=1000            | 400 | exponent-out-of-range",
        "GET  | /api/operations/power?a=2&b=0.5             | 400 | exponent-out-of-range",
        "GET  | /api/operations/divide?a=1&b=0              | 400 | division-by-zero",
        "GET  | /api/operations/modulo?a=1&b=0.0            | 400 | division-by-zero",
        "GET  | /api/operations/sqrt?a=1&b=1                | 404 | unknown-operation",
        "GET  | /api/nothing-here                           | 404 | not-found",
        "DELETE | /api/operations/add                       | 405 | method-not-allowed",
        "PUT  | /api/operations                             | 405 | method-not-allowed",
    })
    void badInputGetsAJsonErrorWithTheRightStatus(String method, String path, int status, String code) {
        assertJsonError(TestHttp.method(at(path), method), status, code);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"a\": 2,                | malformed-json",
        "[2, 3]                    | malformed-json",
        "{\"a\": 2}                | missing-operand",
        "{\"a\": true, \"b\": 1}   | invalid-operand",
        "{\"a\": \"x\", \"b\": 1}  | invalid-operand",
    })
    void badBodiesGetAJsonError(String body, String code) {
        assertJsonError(TestHttp.post(at("/api/operations/add"), body), 400, code);
    }

    @Test
    void operandsOverTheLengthLimitAreRefused() {
        assertJsonError(TestHttp.get(at("/api/operations/add?a=" + "1".repeat(1001) + "&b=1")), 400, "operand-too-long");
    }

    /** One limit on a body, 64 KiB, under one code: a valid body under it is served whatever its size. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {16_385, 65_536})
    void aValidBodyUpTo64KiBIsServed(int size) {
        String body = "{\"a\":1,\"b\":2}";
        HttpReply reply = TestHttp.post(at("/api/operations/add"), body + " ".repeat(size - body.length()));
        assertEquals(200, reply.status(), reply.body());
        assertEquals(3, reply.json().getInt("result"));
    }

    @Test
    void aBodyOver64KiBIs413() {
        String body = "{\"a\":1,\"b\":2}";
        assertJsonError(TestHttp.post(at("/api/operations/add"), body + " ".repeat(65_537 - body.length())), 413,
                "body-too-large");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/", "/api/operations/add", "/health"})
    void traceIsAJson405OnEveryPath(String path) {
        assertJsonError(TestHttp.method(at(path), "TRACE"), 405, "method-not-allowed");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/", "/nope", "/api/nope"})
    void aPathNothingServesIsAJson404(String path) {
        assertJsonError(TestHttp.get(at(path)), 404, "not-found");
    }

    /** Payara closes a kept-alive connection after 250 requests unless told otherwise (pre-boot commands). */
    @Test
    void oneConnectionCarriesAnyNumberOfRequests() {
        assertEquals(600, TestHttp.answersOnOneConnection(deployed.getPort(), "/api/operations/add?a=1&b=2", 600));
    }

    @Test
    void publishesAnOpenApiDocument() {
        HttpReply reply = TestHttp.get(at("/openapi"));
        assertEquals(200, reply.status());
        assertTrue(reply.body().contains("/api/operations/{name}"), reply.body());
        assertTrue(reply.body().contains("/api/instance"), reply.body());
    }

    private static void assertJsonError(HttpReply reply, int status, String code) {
        assertEquals(status, reply.status(), reply.body());
        assertTrue(reply.header("Content-Type").startsWith("application/json"), reply.header("Content-Type"));
        JsonObject error = reply.json();
        assertEquals(code, error.getString("error"));
        assertFalse(error.getString("message").isBlank());
        assertFalse(reply.body().contains("Exception"), reply.body());
    }
}
