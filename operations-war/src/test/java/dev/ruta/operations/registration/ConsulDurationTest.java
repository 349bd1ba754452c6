package dev.ruta.operations.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsulDurationTest {

    @Test
    void readsConsulNotation() {
        assertEquals(Duration.ofMillis(500), ConsulDuration.parse("k", "500ms"));
        assertEquals(Duration.ofSeconds(2), ConsulDuration.parse("k", " 2s "));
        assertEquals(Duration.ofMinutes(1), ConsulDuration.parse("k", "1m"));
        assertEquals(Duration.ofHours(3), ConsulDuration.parse("k", "3h"));
    }

    @Test
    void writesWhatConsulAccepts() {
        assertEquals("2s", ConsulDuration.format(Duration.ofSeconds(2)));
        assertEquals("60s", ConsulDuration.format(Duration.ofMinutes(1)));
        assertEquals("1500ms", ConsulDuration.format(Duration.ofMillis(1500)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2", "two seconds", "-1s", "1.5s", "1d"})
    void rejectsOtherTextNamingTheKey(String text) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ConsulDuration.parse("service.check.interval", text));
        assertEquals(true, error.getMessage().contains("service.check.interval"));
    }
}
