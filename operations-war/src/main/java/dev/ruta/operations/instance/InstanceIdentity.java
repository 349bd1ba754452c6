package dev.ruta.operations.instance;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * This instance's identity, settled once the port it listens on is known, and its counters.
 * Configured values win over detected ones, so a NAT or container setup can advertise what
 * the outside sees.
 */
@ApplicationScoped
public class InstanceIdentity {

    private final String serviceName;
    private final Optional<String> configuredId;
    private final Optional<String> configuredAddress;
    private final Optional<Integer> configuredPort;
    private final IntFunction<OptionalInt> portFinder;
    private final int fallbackPort;
    private final List<String> tags;
    private final String message;
    private final String version;
    /** To the millisecond, as the README shows it and log tools expect. */
    private final Instant startedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    private final AtomicLong served = new AtomicLong();
    private final AtomicReference<ServiceInstance> settled = new AtomicReference<>();

    protected InstanceIdentity() {
        this("operations", Optional.empty(), Optional.empty(), Optional.empty(), 8080, "balanced", "", "");
    }

    @Inject
    public InstanceIdentity(@ConfigProperty(name = "service.name") String serviceName,
                            @ConfigProperty(name = "service.id") Optional<String> configuredId,
                            @ConfigProperty(name = "service.address") Optional<String> configuredAddress,
                            @ConfigProperty(name = "service.port") Optional<Integer> configuredPort,
                            @ConfigProperty(name = "payaramicro.port", defaultValue = "8080") int fallbackPort,
                            @ConfigProperty(name = "service.tags") String tags,
                            @ConfigProperty(name = "service.message") String message,
                            @ConfigProperty(name = "service.version") String version) {
        this(serviceName, configuredId, configuredAddress, configuredPort, fallbackPort, tags, message, version,
                ListeningPort::find);
    }

    InstanceIdentity(String serviceName, Optional<String> configuredId, Optional<String> configuredAddress,
                     Optional<Integer> configuredPort, int fallbackPort, String tags, String message, String version,
                     IntFunction<OptionalInt> portFinder) {
        this.portFinder = portFinder;
        this.serviceName = serviceName;
        this.configuredId = configuredId.map(String::strip).filter(id -> !id.isEmpty());
        this.configuredAddress = configuredAddress.map(String::strip).filter(address -> !address.isEmpty());
        this.configuredPort = configuredPort;
        this.fallbackPort = fallbackPort;
        this.tags = Arrays.stream(tags.split(",")).map(String::strip).filter(tag -> !tag.isEmpty()).toList();
        this.message = message;
        this.version = version;
    }

    /** Empty until the server's HTTP port is known (Payara Micro is still booting). */
    public Optional<ServiceInstance> current() {
        ServiceInstance known = settled.get();
        if (known != null) {
            return Optional.of(known);
        }
        OptionalInt port = port();
        if (port.isEmpty()) {
            return Optional.empty();
        }
        String address = configuredAddress.orElseGet(HostAddress::firstNonLoopbackIpv4);
        String id = configuredId.orElseGet(() -> ServiceInstance.defaultId(serviceName, address, port.getAsInt()));
        settled.compareAndSet(null, new ServiceInstance(id, serviceName, address, port.getAsInt(), tags, message, version));
        return Optional.of(settled.get());
    }

    private OptionalInt port() {
        if (configuredPort.isPresent()) {
            return OptionalInt.of(configuredPort.get());
        }
        return portFinder.apply(fallbackPort);
    }

    public String serviceName() {
        return serviceName;
    }

    public String message() {
        return message;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public long served() {
        return served.get();
    }

    public void recordServed() {
        served.incrementAndGet();
    }
}
