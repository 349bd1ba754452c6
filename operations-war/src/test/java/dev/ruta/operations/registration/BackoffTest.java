package dev.ruta.operations.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheCapAndResets() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(1), backoff.nextDelay());
        assertEquals(Duration.ofSeconds(2), backoff.nextDelay());
        assertEquals(Duration.ofSeconds(4), backoff.nextDelay());
        assertEquals(Duration.ofSeconds(5), backoff.nextDelay());
        assertEquals(Duration.ofSeconds(5), backoff.nextDelay());
        backoff.reset();
        assertEquals(Duration.ofSeconds(1), backoff.nextDelay());
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
