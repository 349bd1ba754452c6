package dev.ruta.balancer.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogTimestampsTest {

    /** What each line was written with before: the shape log tools already parse. */
    private static final DateTimeFormatter FORMATTER = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX")
            .withZone(ZoneOffset.UTC);

    private static String written(LogTimestamps timestamps, Instant instant) {
        StringBuilder line = new StringBuilder();
        timestamps.append(line, instant);
        return line.toString();
    }

    @Test
    void writesWhatTheFormatterWrote() {
        LogTimestamps timestamps = new LogTimestamps();
        assertEquals("2026-11-27T21:40:01.123Z", written(timestamps, Instant.parse("2026-11-27T21:40:01.123456789Z")));
        assertEquals("2026-11-27T21:40:01.007Z", written(timestamps, Instant.parse("2026-11-27T21:40:01.007Z")));
        assertEquals("2026-11-27T21:40:01.000Z", written(timestamps, Instant.parse("2026-11-27T21:40:01Z")));
        assertEquals("2026-12-31T23:59:59.999Z", written(timestamps, Instant.parse("2026-12-31T23:59:59.999999Z")));
        assertEquals("2027-01-01T00:00:00.050Z", written(timestamps, Instant.parse("2027-01-01T00:00:00.05Z")));
    }

    @Test
    void agreesWithTheFormatterWithinASecondAndAcrossSeconds() {
        LogTimestamps timestamps = new LogTimestamps();
        SplittableRandom random = new SplittableRandom(42);
        Instant instant = Instant.parse("2026-11-29T08:00:00Z");
        for (int i = 0; i < 20_000; i++) {
            // Mostly a few microseconds on, sometimes seconds on, sometimes back: threads race.
            long step = random.nextInt(10) == 0 ? random.nextLong(-3_000_000_000L, 3_000_000_000L)
                    : random.nextLong(0, 200_000);
            instant = instant.plusNanos(step);
            assertEquals(FORMATTER.format(instant), written(timestamps, instant));
        }
    }
}
