package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class ConsulInstanceSourceTest {

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void readsAHealthEntry() {
        Instance instance = ConsulInstanceSource.instance("operations", json("""
                {"Node":{"Address":"10.0.0.9"},
                 "Service":{"ID":"operations-10.0.0.5-8081","Service":"operations","Address":"10.0.0.5","Port":8081,
                            "Meta":{"message":"Hola","version":"1"}}}"""));
        assertEquals(new Instance("operations-10.0.0.5-8081", "operations", "10.0.0.5", 8081, "Hola"), instance);
    }

    @Test
    void fallsBackToTheNodeAddressAndNoMessage() {
        Instance instance = ConsulInstanceSource.instance("web", json("""
                {"Node":{"Address":"10.0.0.9"},"Service":{"ID":"web1","Service":"web","Address":"","Port":80,"Meta":null}}"""));
        assertEquals(new Instance("web1", "web", "10.0.0.9", 80, ""), instance);
    }
}
