package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RegistryEntryTest {

    private static final JsonObject NODE = Json.createObjectBuilder().add("Node", "n1").add("Address", "10.0.0.9").build();

    private static JsonValue json(String text) {
        return Json.createReader(new StringReader(text)).readValue();
    }

    private static RegistryEntry.Reading entry(String address, String port) {
        return RegistryEntry.read("operations", json("{\"ID\":\"odd\","
                + "\"Address\":" + address + ",\"Port\":" + port + "}"), NODE);
    }

    @Test
    void readsARegistration() {
        RegistryEntry.Reading reading = RegistryEntry.read("operations", json("""
                {"ID":"operations-10.0.0.5-8081","Service":"operations","Address":"10.0.0.5","Port":8081,
                 "Meta":{"message":"Hola","version":"1"}}"""), NODE);
        assertEquals(new Instance("operations-10.0.0.5-8081", "operations", "10.0.0.5", 8081, "Hola", 1), reading.instance());
    }

    @Test
    void fallsBackToTheNodeAddressAndNoMessage() {
        RegistryEntry.Reading reading = RegistryEntry.read("web", json("""
                {"ID":"web1","Service":"web","Address":"","Port":80,"Meta":null}"""), NODE);
        assertEquals(new Instance("web1", "web", "10.0.0.9", 80, "", 1), reading.instance());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"bad host\"", "\"a/b\"", "\"http://x\"", "\"x:80@evil\"", "\"-x\"", "\"a..b\"", "42", "true"})
    void refusesAnAddressNoOneCouldCall(String address) {
        RegistryEntry.Reading reading = entry(address, "8081");
        assertFalse(reading.valid(), address);
        assertEquals("odd", reading.id());
        assertTrue(reading.problem().contains("address"), reading.problem());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "-1", "80.5", "\"80\"", "null", "99999999999"})
    void refusesAPortOutsideOneTo65535(String port) {
        RegistryEntry.Reading reading = entry("\"10.0.0.5\"", port);
        assertFalse(reading.valid(), port);
        assertTrue(reading.problem().contains("port"), reading.problem());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"10.0.0.5\"", "\"::1\"", "\"fe80::1\"", "\"ops-1.internal\"", "\"localhost\""})
    void acceptsAddressesAndHostNames(String address) {
        assertTrue(entry(address, "1").valid(), address);
        assertTrue(entry(address, "65535").valid(), address);
    }

    @Test
    void refusesAnEntryWithoutAnId() {
        RegistryEntry.Reading reading = RegistryEntry.read("s", json("{\"Address\":\"10.0.0.5\",\"Port\":80}"), NODE);
        assertFalse(reading.valid());
        assertNull(reading.instance());
        assertFalse(RegistryEntry.read("s", json("[]"), NODE).valid());
    }
}
