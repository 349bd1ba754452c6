package dev.ruta.balancer.status;

import dev.ruta.balancer.balancing.RoutingChanged;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The subscribers of {@code /balancer/events}: each gets the whole services view at once, and
 * again on each change Consul reports, as a Server-Sent Event. Publish/subscribe, pushed: a page
 * shows instances joining and leaving without polling.
 * <ul>
 * <li>Each event is the whole view, so a subscriber slow to take one gets the newest view in
 * its place: what waits for a subscriber is one event, whatever happens meanwhile.</li>
 * <li>A comment every balancer.events.heartbeat keeps proxies from closing quiet streams and
 * finds subscribers that went away; one that has not taken what waits for it by the next
 * heartbeat is dropped, and its place freed. (A browser's EventSource reconnects on its own.)</li>
 * <li>At most balancer.max-subscribers at once.</li>
 * <li>Writing happens on the scheduler, never on the thread that reported the change: that
 * thread follows Consul.</li>
 * </ul>
 */
@ApplicationScoped
public class EventStream {

    /** The event name the page listens for. */
    private static final String EVENT_NAME = "services";
    private static final Logger LOG = Logger.getLogger(EventStream.class.getName());
    private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ServicesViews views;
    private final int maxSubscribers;
    private final Duration heartbeat;
    private final Jsonb json = JsonbBuilder.create();
    private final Set<EventSubscriber> subscribers = ConcurrentHashMap.newKeySet();
    /** A broadcast is queued and not yet started: further changes ride on it, as it sends the view then current. */
    private final AtomicBoolean broadcastQueued = new AtomicBoolean();
    private ScheduledFuture<?> heartbeats;
    private long sequence;

    @Resource
    private ManagedScheduledExecutorService scheduler;

    protected EventStream() {
        this(null, 0, Duration.ofSeconds(1));
    }

    @Inject
    public EventStream(ServicesViews views, @ConfigProperty(name = "balancer.max-subscribers") int maxSubscribers,
                       @ConfigProperty(name = "balancer.events.heartbeat") Duration heartbeat) {
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("balancer.events.heartbeat must be longer than 0, not " + heartbeat);
        }
        this.views = views;
        this.maxSubscribers = maxSubscribers;
        this.heartbeat = heartbeat;
    }

    @PostConstruct
    void start() {
        heartbeats = scheduler.scheduleAtFixedRate(this::heartbeat, heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Starts streaming to the request's client, beginning with the current view.
     *
     * @return false, with nothing started, when balancer.max-subscribers are already streaming
     */
    synchronized boolean subscribe(HttpServletRequest request) throws IOException {
        if (subscribers.size() >= maxSubscribers) {
            return false;
        }
        EventSubscriber subscriber = new EventSubscriber(request.startAsync(), subscribers::remove);
        // Listed before it starts, so that an end at any point also takes it off the list.
        subscribers.add(subscriber);
        try {
            subscriber.start(currentView());
        } catch (IOException | RuntimeException e) {
            subscriber.close();
            throw e;
        }
        return true;
    }

    int maxSubscribers() {
        return maxSubscribers;
    }

    /** Only once someone has subscribed: routing never waits for this bean to be made. */
    void routingChanged(@Observes(notifyObserver = Reception.IF_EXISTS) RoutingChanged change) {
        if (broadcastQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(() -> {
                    broadcastQueued.set(false);
                    broadcast();
                });
            } catch (RejectedExecutionException stopping) {
                broadcastQueued.set(false);
            }
        }
    }

    /** A failed write ends only that subscriber; nothing else may stop the broadcasts. */
    private void broadcast() {
        try {
            if (!subscribers.isEmpty()) {
                ServicesEvent event = currentView();
                subscribers.forEach(subscriber -> subscriber.send(event));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not send the services view to the balancer's subscribers", e);
        }
    }

    /** Nothing here may throw: a periodic task that throws is never run again. */
    private void heartbeat() {
        try {
            subscribers.forEach(subscriber -> subscriber.heartbeat(HEARTBEAT, heartbeat));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not send a heartbeat to the balancer's subscribers", e);
        }
    }

    /** One event: JSON-B writes no line break, so the view is one data line. */
    private synchronized ServicesEvent currentView() {
        byte[] bytes = ("event: " + EVENT_NAME + "\ndata: " + json.toJson(views.current()) + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
        return new ServicesEvent(++sequence, bytes);
    }

    @PreDestroy
    void close() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        subscribers.forEach(EventSubscriber::close);
    }
}
