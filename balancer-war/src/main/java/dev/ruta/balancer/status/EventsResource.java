package dev.ruta.balancer.status;

import dev.ruta.balancer.balancing.RoutingChanged;
import dev.ruta.balancer.proxy.error.ErrorBody;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code /balancer/events}: Server-Sent Events carrying the whole services view, sent to a new
 * subscriber at once and to everyone on each change Consul reports. Publish/subscribe, pushed:
 * a page shows instances joining and leaving without polling. A comment every
 * balancer.events.heartbeat finds subscribers that went away (the write fails) and keeps
 * proxies from closing quiet streams; at most balancer.max-subscribers are open at once.
 * Writing to subscribers happens on the scheduler, never on the thread that reported the
 * change: that thread follows Consul, and a subscriber that stops reading must not stop it.
 */
@Path("events")
@ApplicationScoped
public class EventsResource {

    static final String EVENT_NAME = "services";
    private static final Logger LOG = Logger.getLogger(EventsResource.class.getName());

    private final ServicesViews views;
    private final int maxSubscribers;
    private final Duration heartbeat;
    private final Jsonb json = JsonbBuilder.create();
    private final Set<SseEventSink> subscribers = ConcurrentHashMap.newKeySet();
    /** A broadcast is queued and not yet started: further changes ride on it, as it sends the view then current. */
    private final AtomicBoolean broadcastQueued = new AtomicBoolean();
    private volatile Sse sse;
    private volatile SseBroadcaster broadcaster;
    private volatile ScheduledFuture<?> heartbeats;

    @Resource
    private ManagedScheduledExecutorService scheduler;

    protected EventsResource() {
        this(null, 0, Duration.ZERO);
    }

    @Inject
    public EventsResource(ServicesViews views, @ConfigProperty(name = "balancer.max-subscribers") int maxSubscribers,
                          @ConfigProperty(name = "balancer.events.heartbeat") Duration heartbeat) {
        this.views = views;
        this.maxSubscribers = maxSubscribers;
        this.heartbeat = heartbeat;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@Context SseEventSink sink, @Context Sse sse) {
        subscribers.removeIf(SseEventSink::isClosed);
        if (subscribers.size() >= maxSubscribers) {
            throw new WebApplicationException(new ErrorBody("overloaded", "The balancer already streams events to "
                    + maxSubscribers + " subscribers (balancer.max-subscribers); try again shortly.")
                    .toResponse(503).header(HttpHeaders.RETRY_AFTER, "5").build());
        }
        subscribers.add(sink);
        broadcaster(sse).register(sink);
        sink.send(event(sse));
    }

    void routingChanged(@Observes RoutingChanged change) {
        if (broadcaster != null && broadcastQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(() -> {
                    broadcastQueued.set(false);
                    broadcast(event(sse));
                });
            } catch (RejectedExecutionException stopping) {
                broadcastQueued.set(false);
            }
        }
    }

    /** A failed write is the subscriber's end, handled by onError; nothing else may stop the broadcasts. */
    private void broadcast(OutboundSseEvent event) {
        try {
            broadcaster.broadcast(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not send an event to the balancer's subscribers", e);
        }
    }

    private synchronized SseBroadcaster broadcaster(Sse sse) {
        if (broadcaster == null) {
            this.sse = sse;
            broadcaster = sse.newBroadcaster();
            broadcaster.onError((sink, error) -> forget(sink));
            broadcaster.onClose(this::forget);
            OutboundSseEvent comment = sse.newEventBuilder().comment("heartbeat").build();
            // A periodic task that throws is never run again: the guard keeps the heartbeat alive.
            heartbeats = scheduler.scheduleAtFixedRate(() -> broadcast(comment),
                    heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        }
        return broadcaster;
    }

    private void forget(SseEventSink sink) {
        subscribers.remove(sink);
        if (!sink.isClosed()) {
            sink.close();
        }
    }

    private OutboundSseEvent event(Sse sse) {
        return sse.newEventBuilder().name(EVENT_NAME).mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(String.class, json.toJson(views.current())).build();
    }

    @PreDestroy
    void close() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        if (broadcaster != null) {
            broadcaster.close();
        }
    }
}
