package dev.ruta.operations.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.operations.instance.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistrationLoopTest {

    private static final Duration RESYNC = Duration.ofSeconds(5);
    private static final ServiceInstance SELF = new ServiceInstance("operations-127.0.0.1-8081", "operations",
            "127.0.0.1", 8081, List.of("balanced"), "hola", "1");
    private static final CheckSettings CHECK = new CheckSettings("/health/ready", Duration.ofSeconds(2),
            Duration.ofSeconds(1), Duration.ofMinutes(1));

    private final FakeAgent agent = new FakeAgent();
    private final AtomicReference<Optional<ServiceInstance>> identity = new AtomicReference<>(Optional.of(SELF));
    private final RegistrationLoop loop = new RegistrationLoop(agent, identity::get, CHECK,
            new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4)), RESYNC);
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        Logger.getLogger(RegistrationLoop.class.getName()).addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        Logger.getLogger(RegistrationLoop.class.getName()).removeHandler(capture);
    }

    @Test
    void registersThenOnlyChecksUntilShutdown() {
        assertEquals(RESYNC, loop.step());
        assertEquals(RESYNC, loop.step());
        assertEquals(1, agent.registrations);
        assertEquals(RegistrationState.REGISTERED, loop.state());

        loop.deregister();
        assertTrue(agent.services.isEmpty());
        assertEquals(RegistrationState.DEREGISTERED, loop.state());
        loop.step();
        assertEquals(1, agent.registrations, "no registration after shutdown");
    }

    @Test
    void waitsForThePortBeforeRegistering() {
        identity.set(Optional.empty());
        assertEquals(RegistrationLoop.PORT_POLL, loop.step());
        assertEquals(0, agent.registrations);
        identity.set(Optional.of(SELF));
        loop.step();
        assertEquals(1, agent.registrations);
    }

    @Test
    void retriesWithCappedBackoffAndLogsOnlyStateChanges() {
        agent.reachable = false;
        assertEquals(Duration.ofSeconds(1), loop.step());
        assertEquals(Duration.ofSeconds(2), loop.step());
        assertEquals(Duration.ofSeconds(4), loop.step());
        assertEquals(Duration.ofSeconds(4), loop.step());
        assertEquals(RegistrationState.RETRYING, loop.state());
        assertEquals(1, logged.size(), "one warning for four failures");

        agent.reachable = true;
        assertEquals(RESYNC, loop.step());
        assertEquals(RegistrationState.REGISTERED, loop.state());
        assertEquals(2, logged.size());

        agent.reachable = false;
        assertEquals(Duration.ofSeconds(1), loop.step(), "backoff starts over after a success");
    }

    @Test
    void restoresARegistrationTheAgentForgot() {
        loop.step();
        agent.services.clear();
        loop.step();
        assertEquals(2, agent.registrations);
        assertTrue(agent.services.contains(SELF.id()));
        assertTrue(logged.get(logged.size() - 1).getMessage().contains("registered it again"));
    }

    @Test
    void deregisteringWithTheAgentGoneDoesNotThrow() {
        loop.step();
        agent.reachable = false;
        loop.deregister();
        assertEquals(RegistrationState.DEREGISTERED, loop.state());
    }

    private static final class FakeAgent implements ServiceAgent {
        final Set<String> services = new HashSet<>();
        boolean reachable = true;
        int registrations;

        @Override
        public void register(ServiceInstance instance, CheckSettings check) {
            requireReachable();
            registrations++;
            services.add(instance.id());
        }

        @Override
        public boolean isRegistered(String serviceId) {
            requireReachable();
            return services.contains(serviceId);
        }

        @Override
        public void deregister(String serviceId) {
            requireReachable();
            services.remove(serviceId);
        }

        @Override
        public String location() {
            return "fake";
        }

        private void requireReachable() {
            if (!reachable) {
                throw new AgentUnavailableException("connection refused", null);
            }
        }
    }
}
