package dev.ruta.balancer.proxy.client;

import jakarta.ws.rs.client.ClientResponseFilter;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.rest.client.RestClientBuilder;

/**
 * Payara forces its telemetry filter onto every REST client. As a request filter it looks up
 * three HK2 services on every call before it decides to make no span: under load, 5-9% of the
 * balancer's CPU (JFR). Jersey keeps the first registration of a class and ignores the later
 * ones; registered here first, under its response contract only, the filter's request side
 * never runs, and Payara's own registration is ignored. The response side returns at once when
 * the request has no span.
 */
final class PayaraTelemetryFilter {

    private static final Logger LOG = Logger.getLogger(PayaraTelemetryFilter.class.getName());
    private static final String CLASS_NAME =
            "fish.payara.microprofile.telemetry.tracing.jaxrs.client.JaxrsClientRequestTelemetryFilter";

    private PayaraTelemetryFilter() {
    }

    /**
     * Only for a client that makes no span per call: with one, the request side starts it and
     * writes its trace context (and Payara's request tracing, when enabled, its headers).
     *
     * @return whether the filter's request side is off
     */
    static boolean keepAnswerSideOnly(RestClientBuilder builder) {
        Class<?> filter;
        try {
            filter = Class.forName(CLASS_NAME, false, RestClientBuilder.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(Level.INFO, "Payara''s telemetry filter is not there to skip: {0}", e.toString());
            return false;
        }
        builder.register(filter, Map.of(ClientResponseFilter.class, 0));
        return true;
    }
}
