package dev.ruta.balancer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @Test
    void readsConsulNotation() {
        assertEquals(Duration.ofMillis(250), converter.convert("250ms"));
        assertEquals(Duration.ofSeconds(10), converter.convert(" 10s"));
        assertEquals(Duration.ofMinutes(5), converter.convert("5m"));
        assertEquals(Duration.ofHours(1), converter.convert("1h"));
        assertThrows(IllegalArgumentException.class, () -> converter.convert("10"));
        assertThrows(IllegalArgumentException.class, () -> converter.convert("PT10S"));
    }
}
