package dev.ruta.operations.instance;

import java.util.List;

/** How this instance presents itself to Consul and to clients. */
public record ServiceInstance(String id, String name, String address, int port, List<String> tags,
                              String message, String version) {

    public ServiceInstance {
        tags = List.copyOf(tags);
    }

    /** The default ID: unique per host and port, and stable across restarts on them. */
    public static String defaultId(String name, String address, int port) {
        return name + "-" + address + "-" + port;
    }

    public String baseUrl() {
        String host = address.contains(":") ? "[" + address + "]" : address;
        return "http://" + host + ":" + port;
    }
}
