package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ruta.balancer.discovery.HealthStates.State;
import jakarta.json.Json;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HealthStatesTest {

    private static HealthStates read(String checks) {
        return HealthStates.read(Json.createReader(new StringReader(checks)).readValue());
    }

    private static CatalogEntry entry(String node, String id, String service) {
        return new CatalogEntry(node, new Instance(id, service, "10.0.0.1", 80, "", 1), Weights.EQUAL);
    }

    @Test
    void aRegistrationIsAsBadAsItsWorstCheckOrItsNodes() {
        HealthStates states = read("""
                [{"Node":"n1","CheckID":"serfHealth","Status":"passing","ServiceID":""},
                 {"Node":"n1","CheckID":"a","Status":"passing","ServiceID":"web-1"},
                 {"Node":"n1","CheckID":"b","Status":"warning","ServiceID":"web-1"},
                 {"Node":"n1","CheckID":"c","Status":"critical","ServiceID":"web-2"},
                 {"Node":"n2","CheckID":"serfHealth","Status":"critical","ServiceID":""},
                 {"Node":"n2","CheckID":"a","Status":"passing","ServiceID":"web-1"}]""");
        assertEquals(State.WARNING, states.of("n1", "web-1"));
        assertEquals(State.CRITICAL, states.of("n1", "web-2"));
        assertEquals(State.CRITICAL, states.of("n2", "web-1"), "its node fails");
        assertEquals(State.PASSING, states.of("n1", "unchecked"), "no check: passing, as in Consul");
        assertEquals(State.PASSING, states.of("n3", "web-1"), "a node without checks");
    }

    @Test
    void anUnknownStatusCountsAsCriticalAndOddEntriesArePassedOver() {
        HealthStates states = read("""
                [{"Node":"n1","Status":"maintenance?","ServiceID":"web-1"}, 42, null, {"Status":"critical"},
                 {"Node":"n1","ServiceID":"web-2"}]""");
        assertEquals(State.CRITICAL, states.of("n1", "web-1"));
        assertEquals(State.CRITICAL, states.of("n1", "web-2"), "a check without a status is not passing");
        assertEquals(State.PASSING, read("{}").of("n1", "web-1"), "an answer that is not a list has no checks");
    }

    @Test
    void servicesKeepTheirPlaceWithNoPassingInstance() {
        HealthStates states = read("""
                [{"Node":"n1","Status":"critical","ServiceID":"db-1"},
                 {"Node":"n2","Status":"critical","ServiceID":"web-1"}]""");
        Map<String, List<Instance>> passing = states.routable(List.of(entry("n1", "web-1", "web"), entry("n2", "web-1", "web"),
                entry("n1", "db-1", "db")), false);
        assertEquals(List.of("web-1"), passing.get("web").stream().map(Instance::id).toList(),
                "the same ID on another node is another registration");
        assertEquals(List.of(), passing.get("db"));
    }

    @Test
    void warningInstancesAreRoutedAtTheirWarningWeightOnlyWhenAskedTo() {
        HealthStates states = read("""
                [{"Node":"n1","Status":"warning","ServiceID":"web-1"},
                 {"Node":"n1","Status":"warning","ServiceID":"web-2"},
                 {"Node":"n1","Status":"critical","ServiceID":"web-3"}]""");
        List<CatalogEntry> entries = List.of(
                new CatalogEntry("n1", new Instance("web-1", "web", "10.0.0.1", 80, "", 5), new Weights(5, 2)),
                new CatalogEntry("n1", new Instance("web-2", "web", "10.0.0.1", 81, "", 5), new Weights(5, 0)),
                new CatalogEntry("n1", new Instance("web-3", "web", "10.0.0.1", 82, "", 5), new Weights(5, 5)),
                new CatalogEntry("n1", new Instance("web-4", "web", "10.0.0.1", 83, "", 5), new Weights(5, 1)));
        assertEquals(List.of("web-4"), states.routable(entries, false).get("web").stream().map(Instance::id).toList());
        assertEquals(List.of("web-1:2", "web-4:5"), states.routable(entries, true).get("web").stream()
                .map(instance -> instance.id() + ":" + instance.weight()).toList(), "a warning weight of 0 routes nothing");
    }

    @Test
    void servicesChangeWhenTheirCheckedRegistrationsJoinLeaveOrAreMadeAnewNotWhenTheirStateMoves() {
        HealthStates before = read("""
                [{"Node":"n1","CheckID":"serfHealth","Status":"passing","ServiceID":"","CreateIndex":5},
                 {"Node":"n1","Status":"passing","ServiceID":"web-1","ServiceName":"web","CreateIndex":10},
                 {"Node":"n1","Status":"passing","ServiceID":"db-1","ServiceName":"db","CreateIndex":11},
                 {"Node":"n1","Status":"passing","ServiceID":"mq-1","ServiceName":"mq","CreateIndex":12},
                 {"Node":"n1","Status":"passing","ServiceID":"old-1","ServiceName":"old","CreateIndex":13}]""");
        HealthStates after = read("""
                [{"Node":"n1","CheckID":"serfHealth","Status":"critical","ServiceID":"","CreateIndex":5},
                 {"Node":"n1","Status":"critical","ServiceID":"web-1","ServiceName":"web","CreateIndex":10},
                 {"Node":"n1","Status":"passing","ServiceID":"db-1","ServiceName":"db","CreateIndex":11},
                 {"Node":"n2","Status":"passing","ServiceID":"db-1","ServiceName":"db","CreateIndex":20},
                 {"Node":"n1","Status":"passing","ServiceID":"mq-1","ServiceName":"mq","CreateIndex":21},
                 {"Node":"n1","Status":"passing","ServiceID":"new-1","ServiceName":"new","CreateIndex":22}]""");
        assertEquals(Set.of("db", "mq", "old", "new"), after.servicesChangedSince(before),
                "db gained one on n2, mq-1 was registered anew, old left, new came; web only failed");
        assertEquals(Set.of(), after.servicesChangedSince(after));
        assertEquals(Set.of("web", "db", "mq", "old"), before.servicesChangedSince(HealthStates.none()), "before the first answer, all");
    }

    @Test
    void registrationsWithoutCheckOfTheirOwnAreNamedByService() {
        HealthStates states = read("""
                [{"Node":"n1","CheckID":"serfHealth","Status":"passing","ServiceID":""},
                 {"Node":"n1","Status":"passing","ServiceID":"web-1","ServiceName":"web"}]""");
        assertEquals(Set.of("db"), states.servicesWithUncheckedRegistrations(List.of(entry("n1", "web-1", "web"),
                entry("n1", "db-1", "db"))));
        assertEquals(Set.of("web"), states.servicesWithUncheckedRegistrations(List.of(entry("n2", "web-1", "web"))),
                "the same ID on another node has no check there");
    }
}
