package dev.ruta.operations.registration;

import dev.ruta.operations.instance.ServiceInstance;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells whether this application already serves at its advertised address. Payara answers
 * {@code /health/ready} with UP before the application has finished deploying (no checks are
 * known yet), so Consul could pass an instance that still answers 404; registering only once
 * the response carries this application's own check closes that window.
 */
final class ServingProbe {

    private static final Logger LOG = Logger.getLogger(ServingProbe.class.getName());

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final String path;
    private final String checkName;
    private volatile boolean serving;

    ServingProbe(String path, String checkName) {
        this.path = path;
        this.checkName = checkName;
    }

    boolean serving(ServiceInstance self) {
        if (!serving) {
            serving = probe(URI.create(self.baseUrl() + path));
        }
        return serving;
    }

    private boolean probe(URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"" + checkName + "\"");
        } catch (IOException e) {
            LOG.log(Level.FINE, "{0} not answering yet: {1}", new Object[] {uri, e.getMessage()});
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
