package dev.ruta.balancer.discovery;

import java.net.URI;

/** One passing instance of a service, as the registry describes it. */
public record Instance(String id, String service, String address, int port, String message) {

    public URI baseUri() {
        String host = address.contains(":") ? "[" + address + "]" : address;
        return URI.create("http://" + host + ":" + port);
    }
}
