package dev.ruta.balancer.balancing;

import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.discovery.ServiceSnapshot;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

final class Fixtures {

    private Fixtures() {
    }

    static Instance instance(String id) {
        return new Instance(id, "operations", "127.0.0.1", 8000 + id.hashCode() % 1000, "hi " + id, 1);
    }

    /** An upstream of the given weight. */
    static Upstream weighted(String id, int weight) {
        Instance plain = instance(id);
        return new Upstream(new Instance(id, plain.service(), plain.address(), plain.port(), plain.message(), weight));
    }

    static List<Upstream> upstreams(String... ids) {
        return Arrays.stream(ids).map(id -> new Upstream(instance(id))).toList();
    }

    static ServiceSnapshot snapshot(long index, String... ids) {
        return new ServiceSnapshot("operations", Arrays.stream(ids).map(Fixtures::instance).toList(), index, Instant.now());
    }
}
