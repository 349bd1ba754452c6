package dev.ruta.provisioning;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ruta.provisioning.TestHost.Answer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The requests a browser host makes through a balancer, and how they were shared out. */
final class Requests {

    private Requests() {
    }

    static List<String> additions(String balancer, int count) {
        return IntStream.range(0, count).mapToObj(i -> balancer + "/api/operations/add?a=" + i + "&b=1").toList();
    }

    /** Requests per instance; every one must have been answered 200. */
    static Map<String, Long> split(List<Answer> answers) {
        answers.forEach(answer -> assertEquals(200, answer.status(), "a request through the balancer failed: " + answers));
        return answers.stream().collect(Collectors.groupingBy(Answer::instance, TreeMap::new, Collectors.counting()));
    }

    /**
     * Ten requests per instance through the balancer, once it routes to exactly those instances:
     * its table follows Consul on its own schedule, after a deployment's own checks have passed.
     */
    static Map<String, Long> splitOnceRoutedTo(TestHost browser, String balancer, Set<String> instanceIds) {
        await("the balancer at " + balancer + " routes to " + instanceIds).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> split(browser.get(additions(balancer, 3 * instanceIds.size()))).keySet(), instanceIds::equals);
        return split(browser.get(additions(balancer, 10 * instanceIds.size())));
    }

    /** The ID an operations instance on the host at that address registers with. */
    static String instanceId(String address) {
        return "operations-" + address + "-8081";
    }
}
