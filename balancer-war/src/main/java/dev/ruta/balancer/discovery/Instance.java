package dev.ruta.balancer.discovery;

/** One passing instance of a service, as the registry describes it. */
public record Instance(String id, String service, String address, int port, String message) {

    /** {@code http://host:port}, to which a request's raw path and query are appended. */
    public String baseUrl() {
        String host = address.contains(":") ? "[" + address + "]" : address;
        return "http://" + host + ":" + port;
    }
}
