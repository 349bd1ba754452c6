package dev.ruta.balancer.status;

import dev.ruta.balancer.error.ErrorBody;
import dev.ruta.balancer.error.MethodNotAllowedException;
import dev.ruta.balancer.error.OverloadedException;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /balancer/events}: the {@link EventStream}. A servlet rather than a JAX-RS resource,
 * as only a servlet's non-blocking output tells when a client stops taking what it is sent:
 * JAX-RS's event sinks hand every event on to the container, which kept them all in memory.
 */
@WebServlet(urlPatterns = "/balancer/events", asyncSupported = true)
public class EventsServlet extends HttpServlet {

    private EventStream stream;

    @Inject
    void configure(EventStream stream) {
        this.stream = stream;
    }

    /** Errors as JSON, as everywhere else in the balancer, not the container's HTML page. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (request.getMethod()) {
            case "GET" -> doGet(request, response);
            case "HEAD" -> doHead(request, response);
            default -> {
                response.setHeader("Allow", "GET, HEAD");
                ErrorBody.write(response, new MethodNotAllowedException("/balancer/events takes GET only."));
            }
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        eventStreamHeaders(response);
        if (!stream.subscribe(request)) {
            response.reset();
            ErrorBody.write(response, new OverloadedException("The balancer already streams events to "
                    + stream.maxSubscribers() + " subscribers (balancer.max-subscribers); try again shortly.", 5));
        }
    }

    /** Only the headers: a stream that never ends has no body to leave out. */
    @Override
    protected void doHead(HttpServletRequest request, HttpServletResponse response) {
        eventStreamHeaders(response);
    }

    private static void eventStreamHeaders(HttpServletResponse response) {
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
    }
}
