package dev.ruta.balancer.proxy.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/**
 * The MicroProfile REST client that calls the instances. A REST client interface names fixed
 * paths and methods, and a proxy forwards any: the one call carries its {@link Exchange} as its
 * entity, from which {@link ExchangeFilter} and the connector take the real method, address,
 * headers and body.
 * Asynchronous, so no thread waits while an instance works.
 */
public interface UpstreamClient extends AutoCloseable {

    @POST
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    CompletionStage<Response> send(Exchange exchange);
}
