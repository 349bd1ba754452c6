package dev.ruta.operations.registration;

import dev.ruta.operations.instance.ServiceInstance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    // HTTP/1.1: an h2c upgrade offered to a server that is still booting was seen to hang past
    // the request timeout, so the future's own timeout bounds the call as well.
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1).build();
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
        CompletableFuture<HttpResponse<String>> call = http.sendAsync(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = call.get(TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
            return response.statusCode() == 200 && response.body().contains("\"" + checkName + "\"");
        } catch (ExecutionException | TimeoutException e) {
            call.cancel(true);
            LOG.log(Level.FINE, "{0} not answering yet: {1}", new Object[] {uri, String.valueOf(e)});
            return false;
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
