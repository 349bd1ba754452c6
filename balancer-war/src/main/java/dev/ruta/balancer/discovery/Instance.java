package dev.ruta.balancer.discovery;

/**
 * One routable instance of a service, as the registry describes it. {@code weight} is its share
 * of the service's requests relative to the others' (Consul's {@code Weights}, for the state
 * it is in); equal weights share equally.
 */
public record Instance(String id, String service, String address, int port, String message, int weight) {

    /** {@code http://host:port}, to which a request's raw path and query are appended. */
    public String baseUrl() {
        return "http://" + host() + ":" + port;
    }

    /** The address as a URL and a Host header write it: an IPv6 literal in brackets. */
    public String host() {
        return address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    }

    Instance withWeight(int other) {
        return other == weight ? this : new Instance(id, service, address, port, message, other);
    }
}
