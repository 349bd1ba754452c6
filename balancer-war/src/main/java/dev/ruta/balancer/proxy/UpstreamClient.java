package dev.ruta.balancer.proxy;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.core.Response;

/**
 * The MicroProfile REST client of one instance. A REST client interface names fixed paths, and
 * a proxy forwards any path: each call carries the ID of its {@link Exchange}, from which
 * {@link ExchangeFilter} sets the real path, query and headers.
 */
public interface UpstreamClient extends AutoCloseable {

    @GET
    Response get(@HeaderParam(ExchangeFilter.EXCHANGE_HEADER) String exchange);

    @HEAD
    Response head(@HeaderParam(ExchangeFilter.EXCHANGE_HEADER) String exchange);

    @OPTIONS
    Response options(@HeaderParam(ExchangeFilter.EXCHANGE_HEADER) String exchange);

    @DELETE
    Response delete(@HeaderParam(ExchangeFilter.EXCHANGE_HEADER) String exchange);

    @POST
    Response post(@HeaderParam(ExchangeFilter.EXCHANGE_HEADER) String exchange, byte[] body);

    @PUT
    Response put(@HeaderParam(ExchangeFilter.EXCHANGE_HEADER) String exchange, byte[] body);

    @PATCH
    Response patch(@HeaderParam(ExchangeFilter.EXCHANGE_HEADER) String exchange, byte[] body);
}
