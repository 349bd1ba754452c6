package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogEntryTest {

    private final List<String> skipped = new ArrayList<>();

    private List<CatalogEntry> read(String answer) {
        return CatalogEntry.readNode(json(answer), (what, problem) -> skipped.add(what + ": " + problem));
    }

    private static JsonValue json(String text) {
        return Json.createReader(new StringReader(text)).readValue();
    }

    @Test
    void readsEachRegistrationOfTheNodeAtItsOwnOrTheNodesAddress() {
        List<CatalogEntry> entries = read("""
                {"Node":{"Node":"host-1","Address":"10.0.0.9"},
                 "Services":[{"ID":"web-1","Service":"web","Address":"10.0.0.5","Port":8081,"Meta":{"message":"hi"}},
                             {"ID":"web-2","Service":"web","Address":"","Port":8082}]}""");
        assertEquals(List.of(new CatalogEntry("host-1", new Instance("web-1", "web", "10.0.0.5", 8081, "hi", 1), Weights.EQUAL),
                new CatalogEntry("host-1", new Instance("web-2", "web", "10.0.0.9", 8082, "", 1), Weights.EQUAL)), entries);
        assertEquals(List.of(), skipped);
    }

    @Test
    void skipsWhatCannotBeRoutedAndSaysWhy() {
        List<CatalogEntry> entries = read("""
                {"Node":{"Node":"host-1","Address":"10.0.0.9"},
                 "Services":[{"ID":"x","Service":"../kv","Address":"10.0.0.5","Port":1},
                             {"ID":"odd","Service":"web","Address":"bad host","Port":1},
                             7,
                             {"ID":"web-1","Service":"web","Address":"10.0.0.5","Port":8081}]}""");
        assertEquals(List.of("web-1"), entries.stream().map(entry -> entry.instance().id()).toList());
        assertEquals(3, skipped.size(), skipped.toString());
        assertEquals(true, skipped.get(0).startsWith("service ../kv"), skipped.toString());
        assertEquals(true, skipped.get(1).startsWith("instance odd of service web: address"), skipped.toString());
    }

    @Test
    void readsWeightsAsConsulDoesAndBringsOddOnesWithinItsRules() {
        List<CatalogEntry> entries = read("""
                {"Node":{"Node":"host-1","Address":"10.0.0.9"},
                 "Services":[{"ID":"heavy","Service":"web","Port":1,"Weights":{"Passing":3,"Warning":0}},
                             {"ID":"zero","Service":"web","Port":2,"Weights":{"Passing":0,"Warning":-1}},
                             {"ID":"huge","Service":"web","Port":3,"Weights":{"Passing":99999999999,"Warning":70000}},
                             {"ID":"text","Service":"web","Port":4,"Weights":{"Passing":"3","Warning":1.5}},
                             {"ID":"none","Service":"web","Port":5}]}""");
        assertEquals(List.of(new Weights(3, 0), new Weights(1, 0), new Weights(65535, 65535), new Weights(1, 1), Weights.EQUAL),
                entries.stream().map(CatalogEntry::weights).toList());
        assertEquals(List.of(3, 1, 65535, 1, 1), entries.stream().map(entry -> entry.instance().weight()).toList(),
                "an instance is weighted as passing until its health says otherwise");
        assertEquals(6, skipped.size(), skipped.toString());
        assertEquals(true, skipped.stream().allMatch(line -> line.startsWith("instance ")), skipped.toString());
    }

    @Test
    void aNodeThatLeftHasNoEntries() {
        assertEquals(List.of(), read("null"));
        assertEquals(List.of(), read("{\"Node\":null,\"Services\":[]}"));
        assertEquals(List.of(), read("{\"Node\":{\"Node\":\"n\"},\"Services\":{}}"));
    }

    @Test
    void readsAServiceAnswerEachRegistrationWithItsOwnNode() {
        List<CatalogEntry> entries = CatalogEntry.readService(json("""
                [{"Node":{"Node":"host-1","Address":"10.0.0.9"},
                  "Service":{"ID":"web-1","Service":"web","Address":"","Port":8081,"Weights":{"Passing":2,"Warning":1}},
                  "Checks":[{"Status":"critical"}]},
                 {"Node":{"Node":"host-2","Address":"10.0.0.8"},"Service":{"ID":"web-2","Service":"web","Port":8082}},
                 {"Node":{"Node":"host-3"},"Service":{"ID":"web-3","Service":"web","Address":"bad host","Port":1}},
                 {"Node":{"Address":"10.0.0.7"},"Service":{"ID":"web-4","Service":"web","Port":1}},
                 {"Service":{"ID":"web-5","Service":"web","Port":1}}, 7, null]"""),
                (what, problem) -> skipped.add(what + ": " + problem));
        assertEquals(List.of(new CatalogEntry("host-1", new Instance("web-1", "web", "10.0.0.9", 8081, "", 2), new Weights(2, 1)),
                new CatalogEntry("host-2", new Instance("web-2", "web", "10.0.0.8", 8082, "", 1), Weights.EQUAL)), entries,
                "health is not read from here: the checks watch is its one source");
        assertEquals(1, skipped.size(), skipped.toString());
        assertEquals(List.of(), CatalogEntry.readService(json("{}"), (what, problem) -> skipped.add(what)), "not a list");
    }
}
