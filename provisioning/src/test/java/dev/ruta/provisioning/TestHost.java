package dev.ruta.provisioning;

import jakarta.json.Json;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.nio.file.Path;
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
        return get(urls, List.of());
    }

    /** As {@link #get(List)}, at most {@code perSecond} requests a second, so that they span a while. */
    List<Answer> getPaced(List<String> urls, int perSecond) {
        return get(urls, List.of("--rate", perSecond + "/s"));
    }

    private List<Answer> get(List<String> urls, List<String> options) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                "curl", "-s", "--max-time", "10", "-w", "%{http_code} %header{x-ruta-instance}\\n"));
        command.addAll(options);
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

    /** A GET over HTTPS with HTTP/2 offered, trusting only the CA in {@code caFile}: "<status> <HTTP version>", "000 0" when refused. */
    String https(String url, Path caFile) {
        return TestNetwork.output("ip", "netns", "exec", namespace, "curl", "-s", "--max-time", "10", "--http2",
                "--cacert", caFile.toString(), "-o", "/dev/null", "-w", "%{http_code} %{http_version}", url).strip();
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

    /**
     * One request made with curl from this host; the headers in {@code headerFile} (curl's
     * -H @file), if given, never show on a command line. Status 0 when nothing answered.
     */
    Reply request(String method, String url, String body, Path headerFile) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                "curl", "-s", "--max-time", "10", "-X", method, "-w", "\\n%{http_code}"));
        if (headerFile != null) {
            command.add("-H");
            command.add("@" + headerFile);
        }
        if (body != null) {
            command.add("--data-binary");
            command.add(body);
        }
        command.add(url);
        String out = TestNetwork.output(command.toArray(String[]::new));
        int end = out.lastIndexOf('\n');
        return new Reply(Integer.parseInt(out.substring(end + 1).strip()), out.substring(0, Math.max(end, 0)));
    }

    record Answer(int status, String instance) {
    }

    record Reply(int status, String body) {
    }
}
