package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import java.io.StringReader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaggedServicesTest {

    private static TaggedServices read(String services) {
        return TaggedServices.read(Json.createReader(new StringReader(services)).readValue(), "balanced");
    }

    @Test
    void namesTheServicesTaggedUntaggedAddedRemovedOrRetagged() {
        TaggedServices before = read("""
                {"consul":[],"web":["balanced"],"db":["balanced","v1"],"mq":["balanced"],"cache":["other"]}""");
        TaggedServices after = read("""
                {"consul":[],"web":["balanced"],"db":["v1","balanced","v2"],"cache":["balanced","other"],"new":["balanced"]}""");
        assertEquals(Set.of("db", "mq", "cache", "new"), after.changedSince(before));
        assertEquals(Set.of(), after.changedSince(read("""
                {"web":["balanced"],"db":["balanced","v2","v1"],"cache":["other","balanced"],"new":["balanced"],"x":[]}""")),
                "the order of tags and untagged services do not matter");
    }

    @Test
    void oddAnswersHaveNoServices() {
        assertEquals(Set.of(), read("[]").changedSince(TaggedServices.none()));
        assertEquals(Set.of("ok"), read("{\"odd\":\"balanced\",\"nil\":null,\"ok\":[\"balanced\",7]}").changedSince(TaggedServices.none()));
    }
}
