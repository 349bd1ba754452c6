package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ConsulCatalogSourceTest {

    private static ConsulCatalogSource source(String tag, Duration resync) {
        return new ConsulCatalogSource(URI.create("http://127.0.0.1:1"), Optional.empty(), tag, false, Duration.ofSeconds(30),
                Duration.ofSeconds(5), resync, Duration.ofSeconds(30), Executors.defaultThreadFactory());
    }

    @Test
    void refusesATagThatCannotGoIntoAFilterExpression() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> source("a\"b", Duration.ofSeconds(30)));
        assertTrue(refused.getMessage().startsWith("balancer.tag"), refused.getMessage());
    }

    @Test
    void refusesAResyncSoFrequentThatTheCatalogWouldBeReadWholeAllTheTime() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> source("balanced", Duration.ofMillis(500)));
        assertTrue(refused.getMessage().equals("consul.catalog.resync must be 1s or more, not 500ms"), refused.getMessage());
        source("balanced", Duration.ofSeconds(1)).close();
    }
}
