package dev.ruta.balancer.discovery;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.function.Consumer;

/**
 * A registration's {@code Weights}: its share while passing, and while warning. Consul's own
 * rules: absent means 1 and 1; a passing weight is at least 1 and a warning weight at least 0;
 * its DNS interface carries at most 65535 (an SRV weight). What breaks them is brought within
 * them, with a word to the caller, never refused: one odd entry must not stop a service.
 */
record Weights(int passing, int warning) {

    static final int MAX = 65535;
    static final Weights EQUAL = new Weights(1, 1);

    static Weights read(JsonValue value, Consumer<String> odd) {
        if (!(value instanceof JsonObject weights)) {
            if (value != null && value != JsonValue.NULL) {
                odd.accept("Weights " + value + " is not an object; weighted 1");
            }
            return EQUAL;
        }
        return new Weights(weight(weights.get("Passing"), 1, "Passing", odd), weight(weights.get("Warning"), 0, "Warning", odd));
    }

    private static int weight(JsonValue value, int least, String name, Consumer<String> odd) {
        if (value == null || value == JsonValue.NULL) {
            return 1;
        }
        if (!(value instanceof JsonNumber number) || !number.isIntegral()) {
            odd.accept(name + " weight " + value + " is not a whole number; weighted 1");
            return 1;
        }
        long weight = number.bigIntegerValue().max(java.math.BigInteger.valueOf(Integer.MIN_VALUE))
                .min(java.math.BigInteger.valueOf(Integer.MAX_VALUE)).longValue();
        if (weight < least) {
            odd.accept(name + " weight " + value + " is below " + least + ", as Consul allows none; weighted " + least);
            return least;
        }
        if (weight > MAX) {
            odd.accept(name + " weight " + value + " is above " + MAX + ", the most Consul's DNS can carry; weighted " + MAX);
            return MAX;
        }
        return (int) weight;
    }
}
