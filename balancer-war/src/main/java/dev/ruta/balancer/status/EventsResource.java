package dev.ruta.balancer.status;

import dev.ruta.balancer.balancing.RoutingChanged;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code /balancer/events}: Server-Sent Events carrying the whole services view, sent to a new
 * subscriber at once and to everyone on each change Consul reports. Publish/subscribe, pushed:
 * a page shows instances joining and leaving without polling.
 */
@Path("events")
@ApplicationScoped
public class EventsResource {

    static final String EVENT_NAME = "services";

    private final ServicesViews views;
    private final Jsonb json = JsonbBuilder.create();
    private volatile Sse sse;
    private volatile SseBroadcaster broadcaster;

    protected EventsResource() {
        this(null);
    }

    @Inject
    public EventsResource(ServicesViews views) {
        this.views = views;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@Context SseEventSink sink, @Context Sse sse) {
        broadcaster(sse).register(sink);
        sink.send(event(sse));
    }

    void routingChanged(@Observes RoutingChanged change) {
        SseBroadcaster current = broadcaster;
        if (current != null) {
            current.broadcast(event(sse));
        }
    }

    private synchronized SseBroadcaster broadcaster(Sse sse) {
        if (broadcaster == null) {
            this.sse = sse;
            broadcaster = sse.newBroadcaster();
        }
        return broadcaster;
    }

    private OutboundSseEvent event(Sse sse) {
        return sse.newEventBuilder().name(EVENT_NAME).mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(String.class, json.toJson(views.current())).build();
    }

    @PreDestroy
    void close() {
        if (broadcaster != null) {
            broadcaster.close();
        }
    }
}
