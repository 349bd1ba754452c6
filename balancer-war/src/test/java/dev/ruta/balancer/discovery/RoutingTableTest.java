package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private static Instance instance(String id) {
        return new Instance(id, "operations", "127.0.0.1", 8081, "");
    }

    @Test
    void startsEmptyNeverNull() {
        RoutingTable table = new RoutingTable();
        assertNotNull(table.all());
        assertTrue(table.service("operations").isEmpty());
    }

    @Test
    void aNewSnapshotReplacesTheOldOneWhole() {
        RoutingTable table = new RoutingTable();
        table.put(new ServiceSnapshot("operations", List.of(instance("a"), instance("b")), 5, Instant.now()));
        Map<String, ServiceSnapshot> before = table.all();

        table.put(new ServiceSnapshot("operations", List.of(instance("c")), 6, Instant.now()));

        assertEquals(2, before.get("operations").instances().size(), "a reader's view never changes under it");
        assertEquals(6, table.service("operations").orElseThrow().index());
        assertEquals(List.of(instance("c")), table.service("operations").orElseThrow().instances());
        table.remove("operations");
        assertTrue(table.service("operations").isEmpty());
    }

    @Test
    void snapshotsAndTheTableAreImmutable() {
        List<Instance> source = new ArrayList<>(List.of(instance("a")));
        ServiceSnapshot snapshot = new ServiceSnapshot("operations", source, 1, Instant.now());
        source.add(instance("b"));
        assertEquals(1, snapshot.instances().size());
        assertThrows(UnsupportedOperationException.class, () -> snapshot.instances().add(instance("c")));
        RoutingTable table = new RoutingTable();
        table.put(snapshot);
        assertThrows(UnsupportedOperationException.class, () -> table.all().clear());
    }
}
