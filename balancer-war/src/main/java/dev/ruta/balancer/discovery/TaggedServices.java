package dev.ruta.balancer.discovery;

import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The services of Consul's catalog that carry the routing tag on some registration, with every
 * tag they carry. It is all {@code /v1/catalog/services} says, so it tells which services were
 * tagged, untagged, added or removed, but not which instances of an unchanged one moved.
 */
final class TaggedServices {

    private final Map<String, List<String>> tagsByService;

    private TaggedServices(Map<String, List<String>> tagsByService) {
        this.tagsByService = tagsByService;
    }

    static TaggedServices none() {
        return new TaggedServices(Map.of());
    }

    /** Reads an answer of {@code /v1/catalog/services}; entries that are not a list of tags are passed over. */
    static TaggedServices read(JsonValue services, String tag) {
        Map<String, List<String>> tagged = new HashMap<>();
        if (services.getValueType() == JsonValue.ValueType.OBJECT) {
            for (Map.Entry<String, JsonValue> service : services.asJsonObject().entrySet()) {
                if (service.getValue().getValueType() != JsonValue.ValueType.ARRAY) {
                    continue;
                }
                List<String> tags = service.getValue().asJsonArray().stream()
                        .map(value -> value instanceof JsonString text ? text.getString() : String.valueOf(value))
                        .sorted().toList();
                if (tags.contains(tag)) {
                    tagged.put(service.getKey(), tags);
                }
            }
        }
        return new TaggedServices(tagged);
    }

    /** The services added, removed or whose tags changed since {@code before}. */
    Set<String> changedSince(TaggedServices before) {
        Set<String> changed = new HashSet<>();
        tagsByService.forEach((service, tags) -> {
            if (!tags.equals(before.tagsByService.get(service))) {
                changed.add(service);
            }
        });
        before.tagsByService.keySet().stream().filter(service -> !tagsByService.containsKey(service)).forEach(changed::add);
        return changed;
    }
}
