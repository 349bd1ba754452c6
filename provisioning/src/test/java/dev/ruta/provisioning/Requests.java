package dev.ruta.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ruta.provisioning.TestHost.Answer;
import java.util.List;
import java.util.Map;
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

    /** The ID an operations instance on the host at that address registers with. */
    static String instanceId(String address) {
        return "operations-" + address + "-8081";
    }
}
