package dev.ruta.operations.api;

import dev.ruta.operations.arithmetic.InvalidOperandException;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;

/**
 * Reads {@code {"a":..,"b":..}} from a request body, keeping each operand's text exactly as
 * sent: the arithmetic parses it, so GET and POST share one set of rules and messages.
 */
final class JsonOperands {

    private final JsonObject body;

    private JsonOperands(JsonObject body) {
        this.body = body;
    }

    static JsonOperands parse(String text) {
        if (text == null || text.isBlank()) {
            throw malformed("The request body is empty; send {\"a\": <number>, \"b\": <number>}.");
        }
        // Its size is BodyLimitFilter's to refuse (413), before the body is read.
        try (JsonParser parser = Json.createParser(new StringReader(text))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                throw malformed("The request body must be a JSON object such as {\"a\": 2, \"b\": 3}.");
            }
            JsonObject body = parser.getObject();
            if (parser.hasNext()) {
                throw malformed("The request body has more after its JSON object; send one object.");
            }
            return new JsonOperands(body);
        } catch (JsonException | IllegalStateException | java.util.NoSuchElementException e) {
            throw malformed("The request body is not valid JSON; send {\"a\": <number>, \"b\": <number>}.");
        }
    }

    /** The operand's text, or null when absent; strings are accepted as well as numbers. */
    String text(String name) {
        JsonValue value = body.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        return switch (value.getValueType()) {
            case NUMBER -> value.toString();
            case STRING -> body.getString(name);
            default -> throw new InvalidOperandException("invalid-operand",
                    "Operand '" + name + "' must be a number, not " + value.getValueType().name().toLowerCase(java.util.Locale.ROOT) + ".");
        };
    }

    private static InvalidOperandException malformed(String message) {
        return new InvalidOperandException("malformed-json", message);
    }
}
