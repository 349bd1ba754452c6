package dev.ruta.operations.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class InstanceIdentityTest {

    private static InstanceIdentity identity(Optional<String> id, Optional<String> address, Optional<Integer> port) {
        return new InstanceIdentity("operations", id, address, port, 8080, " balanced, v1 ,,", "hola", "1.0",
                OptionalInt::of);
    }

    @Test
    void itsStartIsToTheMillisecond() {
        java.time.Instant started = identity(Optional.empty(), Optional.of("10.1.2.3"), Optional.of(8081)).startedAt();
        org.junit.jupiter.api.Assertions.assertEquals(0, started.getNano() % 1_000_000, started.toString());
    }

    @Test
    void defaultIdIsNameAddressAndPort() {
        ServiceInstance self = identity(Optional.empty(), Optional.of("10.1.2.3"), Optional.of(8081)).current().orElseThrow();
        assertEquals("operations-10.1.2.3-8081", self.id());
        assertEquals("http://10.1.2.3:8081", self.baseUrl());
    }

    @Test
    void configuredValuesWin() {
        ServiceInstance self = identity(Optional.of("ops-a"), Optional.of("192.0.2.7"), Optional.of(9000)).current().orElseThrow();
        assertEquals("ops-a", self.id());
        assertEquals("192.0.2.7", self.address());
        assertEquals(9000, self.port());
    }

    @Test
    void blankConfiguredValuesCountAsUnset() {
        ServiceInstance self = identity(Optional.of("  "), Optional.of(""), Optional.of(8082)).current().orElseThrow();
        assertEquals(HostAddress.firstNonLoopbackIpv4(), self.address());
        assertEquals("operations-" + self.address() + "-8082", self.id());
    }

    @Test
    void withoutAConfiguredPortTheBoundOneIsUsed() {
        InstanceIdentity identity = new InstanceIdentity("operations", Optional.empty(), Optional.of("127.0.0.1"),
                Optional.empty(), 8080, "", "", "", fallback -> OptionalInt.of(8123));
        assertEquals(8123, identity.current().orElseThrow().port());
    }

    @Test
    void staysUnsettledUntilThePortIsKnown() {
        OptionalInt[] bound = {OptionalInt.empty()};
        InstanceIdentity identity = new InstanceIdentity("operations", Optional.empty(), Optional.of("127.0.0.1"),
                Optional.empty(), 8080, "", "", "", fallback -> bound[0]);
        assertTrue(identity.current().isEmpty());
        bound[0] = OptionalInt.of(8124);
        assertEquals("operations-127.0.0.1-8124", identity.current().orElseThrow().id());
        bound[0] = OptionalInt.of(9999);
        assertEquals(8124, identity.current().orElseThrow().port(), "settled once");
    }

    @Test
    void tagsAreTrimmedAndEmptyOnesDropped() {
        ServiceInstance self = identity(Optional.empty(), Optional.of("127.0.0.1"), Optional.of(1)).current().orElseThrow();
        assertEquals(List.of("balanced", "v1"), self.tags());
        assertEquals("hola", self.message());
        assertEquals("1.0", self.version());
    }

    @Test
    void ipv6AddressesAreBracketedInUrls() {
        assertEquals("http://[::1]:80", new ServiceInstance("x", "s", "::1", 80, List.of(), "", "").baseUrl());
    }
}
