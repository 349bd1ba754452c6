package dev.ruta.operations.registration;

import dev.ruta.operations.instance.InstanceIdentity;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Registers the service in the local Consul agent when the application starts and deregisters
 * it when the application stops (SIGTERM or undeploy). Registration runs in the background:
 * a missing agent never delays or fails startup.
 */
@ApplicationScoped
public class ConsulRegistration {

    private static final Logger LOG = Logger.getLogger(ConsulRegistration.class.getName());
    static final String CHECK_PATH = "/health/ready";
    /**
     * The readiness check whose presence at {@link #CHECK_PATH} shows the application is deployed,
     * so registration waits for it. Named here, where it is relied on, and used by the health check.
     */
    public static final String DEPLOYED_CHECK = "operations";
    private static final Duration AGENT_REQUEST_TIMEOUT = Duration.ofSeconds(2);

    @Resource
    private ManagedScheduledExecutorService scheduler;

    private final boolean enabled;
    private final ConsulServiceAgent agent;
    private final RegistrationLoop loop;
    private volatile Future<?> nextStep;
    private volatile boolean stopped;
    private final Thread deregisterOnSignal;

    protected ConsulRegistration() {
        this.enabled = false;
        this.agent = null;
        this.loop = null;
        this.deregisterOnSignal = null;
    }

    @Inject
    public ConsulRegistration(InstanceIdentity identity,
                              @ConfigProperty(name = "consul.enabled") boolean enabled,
                              @ConfigProperty(name = "consul.url") URI consulUrl,
                              @ConfigProperty(name = "consul.token") Optional<String> token,
                              @ConfigProperty(name = "service.check.interval") String checkInterval,
                              @ConfigProperty(name = "service.check.timeout") String checkTimeout,
                              @ConfigProperty(name = "service.check.deregister-after") String deregisterAfter,
                              @ConfigProperty(name = "consul.retry.initial-delay") String retryInitialDelay,
                              @ConfigProperty(name = "consul.retry.max-delay") String retryMaxDelay,
                              @ConfigProperty(name = "consul.resync-interval") String resyncInterval,
                              @ConfigProperty(name = "consul.weight") int weight) {
        this.enabled = enabled;
        this.agent = new ConsulServiceAgent(consulUrl, token, AGENT_REQUEST_TIMEOUT, withinConsulsRange(weight));
        CheckSettings check = new CheckSettings(CHECK_PATH,
                ConsulDuration.parse("service.check.interval", checkInterval),
                ConsulDuration.parse("service.check.timeout", checkTimeout),
                ConsulDuration.parse("service.check.deregister-after", deregisterAfter));
        Backoff backoff = new Backoff(ConsulDuration.parse("consul.retry.initial-delay", retryInitialDelay),
                ConsulDuration.parse("consul.retry.max-delay", retryMaxDelay));
        ServingProbe probe = new ServingProbe(CHECK_PATH, DEPLOYED_CHECK);
        this.loop = new RegistrationLoop(agent, () -> identity.current().filter(probe::serving), check, backoff,
                ConsulDuration.parse("consul.resync-interval", resyncInterval));
        this.deregisterOnSignal = new Thread(loop::deregister, "ruta-deregister-on-shutdown");
    }

    /** A weight Consul would refuse (or its DNS could not carry) is brought within its range, not left to fail every registration. */
    static int withinConsulsRange(int weight) {
        int within = Math.max(1, Math.min(WeightedService.MAX_WEIGHT, weight));
        if (within != weight) {
            LOG.log(Level.WARNING, "consul.weight={0} is outside Consul''s 1-{1}; registering with weight {2}",
                    new Object[] {weight, WeightedService.MAX_WEIGHT, within});
        }
        return within;
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        if (!enabled) {
            LOG.info("consul.enabled=false: running without Consul registration");
            return;
        }
        // On SIGTERM, leave Consul at once, while Payara is still serving: balancers stop sending
        // requests before the application is torn down, instead of after.
        Runtime.getRuntime().addShutdownHook(deregisterOnSignal);
        schedule(Duration.ZERO);
    }

    public RegistrationState state() {
        return enabled ? loop.state() : RegistrationState.DISABLED;
    }

    @PreDestroy
    void stop() {
        stopped = true;
        Future<?> pending = nextStep;
        if (pending != null) {
            pending.cancel(false);
        }
        if (enabled) {
            loop.deregister();
            try {
                Runtime.getRuntime().removeShutdownHook(deregisterOnSignal);
            } catch (IllegalStateException shutdownUnderWay) {
                // The hook has run or is running; nothing to remove.
            }
        }
        agent.close();
    }

    private void schedule(Duration delay) {
        if (stopped) {
            return;
        }
        nextStep = scheduler.schedule(this::runStep, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runStep() {
        Duration delay;
        try {
            delay = loop.step();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Registration step failed unexpectedly; trying again", e);
            delay = RegistrationLoop.PORT_POLL;
        }
        schedule(delay);
    }
}
