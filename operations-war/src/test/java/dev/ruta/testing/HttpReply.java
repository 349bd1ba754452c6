package dev.ruta.testing;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.net.http.HttpHeaders;

/** A response as tests look at it: status, headers and the body parsed on demand. */
public record HttpReply(int status, HttpHeaders headers, String body) {

    public JsonObject json() {
        return (JsonObject) structure();
    }

    public JsonArray jsonArray() {
        return (JsonArray) structure();
    }

    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    private JsonStructure structure() {
        try (JsonReader reader = Json.createReader(new StringReader(body))) {
            return reader.read();
        } catch (RuntimeException e) {
            throw new AssertionError("Not JSON (status " + status + "): " + body, e);
        }
    }
}
