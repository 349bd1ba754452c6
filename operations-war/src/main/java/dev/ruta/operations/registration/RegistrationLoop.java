package dev.ruta.operations.registration;

import dev.ruta.operations.instance.ServiceInstance;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One step of keeping the registration alive, to be run again after the delay it returns.
 * Logs when the state changes, not on every try, so an absent agent does not flood the log.
 */
public final class RegistrationLoop {

    private static final Logger LOG = Logger.getLogger(RegistrationLoop.class.getName());
    static final Duration PORT_POLL = Duration.ofMillis(200);

    private final ServiceAgent agent;
    private final Supplier<Optional<ServiceInstance>> identity;
    private final CheckSettings check;
    private final Backoff backoff;
    private final Duration resyncInterval;
    // Read by the readiness check while a step may be waiting on the network: never behind the lock.
    private volatile RegistrationState state = RegistrationState.STARTING;
    private ServiceInstance registered;

    public RegistrationLoop(ServiceAgent agent, Supplier<Optional<ServiceInstance>> identity, CheckSettings check,
                            Backoff backoff, Duration resyncInterval) {
        this.agent = agent;
        this.identity = identity;
        this.check = check;
        this.backoff = backoff;
        this.resyncInterval = resyncInterval;
    }

    /** Registers, or checks that the agent still holds the registration; returns the delay until the next step. */
    public Duration step() {
        Optional<ServiceInstance> instance = identity.get();
        if (instance.isEmpty()) {
            return PORT_POLL;
        }
        return step(instance.get());
    }

    private synchronized Duration step(ServiceInstance self) {
        if (state == RegistrationState.DEREGISTERED) {
            return resyncInterval;
        }
        try {
            if (registered == null || !agent.isRegistered(self.id())) {
                boolean forgotten = registered != null && state == RegistrationState.REGISTERED;
                agent.register(self, check);
                registered = self;
                if (forgotten) {
                    LOG.log(Level.INFO, "Consul agent at {0} had lost {1}; registered it again",
                            new Object[] {agent.location(), self.id()});
                } else {
                    LOG.log(Level.INFO, "Registered {0} ({1}) in Consul at {2}, checked at {3}{4} every {5}",
                            new Object[] {self.id(), self.baseUrl(), agent.location(), self.baseUrl(), check.path(),
                                ConsulDuration.format(check.interval())});
                }
            }
            state = RegistrationState.REGISTERED;
            backoff.reset();
            return resyncInterval;
        } catch (AgentUnavailableException e) {
            Duration delay = backoff.nextDelay();
            if (state != RegistrationState.RETRYING) {
                LOG.log(Level.WARNING, "Cannot register {0}: {1}. The service keeps serving and retries in the background",
                        new Object[] {self.id(), e.getMessage()});
            }
            state = RegistrationState.RETRYING;
            return delay;
        }
    }

    /** Leaves Consul; later steps do nothing. */
    public synchronized void deregister() {
        RegistrationState before = state;
        state = RegistrationState.DEREGISTERED;
        if (registered == null) {
            return;
        }
        try {
            agent.deregister(registered.id());
            LOG.log(Level.INFO, "Deregistered {0} from Consul at {1}", new Object[] {registered.id(), agent.location()});
        } catch (AgentUnavailableException e) {
            LOG.log(Level.WARNING, "Could not deregister {0} ({1}, was {2}); Consul removes it once its check stays critical",
                    new Object[] {registered.id(), e.getMessage(), before});
        }
        registered = null;
    }

    public RegistrationState state() {
        return state;
    }
}
