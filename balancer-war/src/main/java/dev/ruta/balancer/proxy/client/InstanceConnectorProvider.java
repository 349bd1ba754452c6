package dev.ruta.balancer.proxy.client;

import dev.ruta.balancer.proxy.transport.InstanceClient;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.core.Configuration;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.glassfish.jersey.client.spi.Connector;
import org.glassfish.jersey.client.spi.ConnectorProvider;

/** Named to Jersey by class; what the connector shares comes in the client's properties. */
public final class InstanceConnectorProvider implements ConnectorProvider {

    static final String CLIENT = "dev.ruta.instance-client";
    static final String THREADS = "dev.ruta.exchange-threads";
    static final String READ_TIMEOUT = "dev.ruta.read-timeout";

    @Override
    public Connector getConnector(Client client, Configuration configuration) {
        return new InstanceConnector((InstanceClient) configuration.getProperty(CLIENT),
                (Executor) configuration.getProperty(THREADS), (Duration) configuration.getProperty(READ_TIMEOUT));
    }
}
