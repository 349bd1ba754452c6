package dev.ruta.operations.registration;

import dev.ruta.operations.instance.ServiceInstance;

/**
 * The local service registry agent. Every method throws {@link AgentUnavailableException}
 * when the agent cannot be reached or refuses the call.
 */
public interface ServiceAgent {

    void register(ServiceInstance instance, CheckSettings check);

    boolean isRegistered(String serviceId);

    void deregister(String serviceId);

    /** Where the agent is, for log lines. */
    String location();
}
