package dev.ruta.balancer.proxy.client;

import dev.ruta.balancer.discovery.Instance;
import dev.ruta.balancer.proxy.transport.Framing;
import dev.ruta.balancer.proxy.transport.InstanceAnswer;
import dev.ruta.balancer.proxy.transport.InstanceClient;
import dev.ruta.balancer.proxy.transport.InstanceRequest;
import dev.ruta.balancer.proxy.transport.RequestContent;
import jakarta.ws.rs.ProcessingException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.jersey.client.ClientRequest;
import org.glassfish.jersey.client.ClientResponse;
import org.glassfish.jersey.client.spi.AsyncConnectorCallback;
import org.glassfish.jersey.client.spi.Connector;
import org.glassfish.jersey.message.internal.Statuses;

/**
 * The REST client's connector: each call becomes an exchange of the {@link InstanceClient} on
 * one of the exchange threads, and the call's {@link Exchange} carries the handle that aborts
 * it. The answer's body is the transport's own stream, so a cut, a stall or garbage reaches the
 * forwarder as an exception, never as a quiet end.
 */
final class InstanceConnector implements Connector {

    private static final Logger LOG = Logger.getLogger(InstanceConnector.class.getName());
    /** Request property: the {@link Exchange} a call carries, set by {@link ExchangeFilter}. */
    static final String EXCHANGE = "dev.ruta.exchange";
    /** The transport writes these itself, from the request line and the body, whatever a filter added. */
    private static final Set<String> TRANSPORT_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection");
    private static final Set<String> HAS_BODY = Set.of("POST", "PUT", "PATCH");
    private static final RequestContent EMPTY = new RequestContent() {
        @Override
        public long length() {
            return 0;
        }

        @Override
        public void writeTo(OutputStream out) {
        }
    };

    private final InstanceClient client;
    private final Executor threads;
    private final Duration readTimeout;

    InstanceConnector(InstanceClient client, Executor threads, Duration readTimeout) {
        this.client = client;
        this.threads = threads;
        this.readTimeout = readTimeout;
    }

    @Override
    public ClientResponse apply(ClientRequest request) {
        Exchange exchange = (Exchange) request.getProperty(EXCHANGE);
        Instance target = exchange.instance();
        RequestBody body = exchange.body();
        RequestContent content = body.isPresent() ? body : HAS_BODY.contains(request.getMethod()) ? EMPTY : null;
        InstanceAnswer answer;
        try {
            answer = client.send(new InstanceRequest(request.getMethod(), target.host(), target.port(),
                    exchange.rawPathAndQuery(), headers(request), content), exchange.call(), readTimeout);
        } catch (IOException e) {
            throw new ProcessingException(e);
        }
        ClientResponse response = new ClientResponse(Statuses.from(answer.status(), answer.reason()), request);
        answer.headers().forEach((name, values) -> {
            // The length is the transport's to tell (InstanceAnswer.length): one number, and
            // none when Transfer-Encoding frames the body.
            if (!"content-length".equalsIgnoreCase(name)) {
                values.forEach(value -> response.getHeaders().add(name, value));
            }
        });
        if (answer.length() >= 0 && answer.framing() != Framing.CHUNKED) {
            response.getHeaders().putSingle("Content-Length", Long.toString(answer.length()));
        }
        response.setEntityStream(answer.body());
        return response;
    }

    private static Map<String, List<String>> headers(ClientRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.getStringHeaders().forEach((name, values) -> {
            if (!TRANSPORT_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                headers.put(name, values);
            }
        });
        return headers;
    }

    @Override
    public Future<?> apply(ClientRequest request, AsyncConnectorCallback callback) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                ClientResponse response;
                try {
                    response = apply(request);
                } catch (Throwable e) {
                    callback.failure(e);
                    done.complete(null);
                    return;
                }
                try {
                    // The answer is relayed on this thread, within this call.
                    callback.response(response);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Handling an instance's answer failed", e);
                } finally {
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            callback.failure(e);
            done.complete(null);
        }
        return done;
    }

    @Override
    public String getName() {
        return "Ruta HTTP/1.1 to instances";
    }

    @Override
    public void close() {
        // The client and its threads belong to UpstreamTransport, which closes them.
    }
}
