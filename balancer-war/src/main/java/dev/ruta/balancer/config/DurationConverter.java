package dev.ruta.balancer.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Lets {@code @ConfigProperty Duration} read "500ms", "2s", "1m", "1h": one notation for every
 * duration in Ruta, the one Consul uses.
 */
public class DurationConverter implements Converter<Duration> {

    private static final Pattern AMOUNT_AND_UNIT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        Matcher matcher = AMOUNT_AND_UNIT.matcher(value == null ? "" : value.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Not a duration such as 500ms, 2s, 1m or 1h: '" + value + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
