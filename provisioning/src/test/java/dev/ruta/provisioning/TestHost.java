package dev.ruta.provisioning;

import jakarta.json.Json;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * One test host: a network namespace with one address. Requests are made from inside it with
 * curl, as a machine on that LAN would make them; the test JVM itself has no route there.
 */
record TestHost(String namespace, String address) {

    /** The reach of this host in a deploy.sh inventory. */
    String reach() {
        return "netns:" + namespace;
    }

    /** GETs each URL in turn over one curl run; per request, its status and the instance that answered. */
    List<Answer> get(List<String> urls) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                "curl", "-s", "--max-time", "10", "-w", "%{http_code} %header{x-ruta-instance}\\n"));
        for (String url : urls) {
            command.add("-o");
            command.add("/dev/null");
            command.add(url);
        }
        return TestNetwork.output(command.toArray(String[]::new)).lines()
                .map(line -> line.split(" ", 2))
                .map(parts -> new Answer(Integer.parseInt(parts[0]), parts.length > 1 ? parts[1].strip() : ""))
                .toList();
    }

    /** The JSON document at the URL, or null when it does not answer 2xx. */
    JsonStructure json(String url) {
        String body = TestNetwork.output("ip", "netns", "exec", namespace, "curl", "-sf", "--max-time", "10", url);
        if (body.isBlank()) {
            return null;
        }
        try (var reader = Json.createReader(new StringReader(body))) {
            return reader.read();
        }
    }

    record Answer(int status, String instance) {
    }
}
