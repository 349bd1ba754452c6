package dev.ruta.provisioning;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test class whose every test deploys onto test hosts of its own: made before the test (or
 * the test skipped where they cannot be), and removed after it with all that ran on them.
 */
abstract class OnTestHosts {

    private final String name;
    protected Deployment deployment;
    protected TestNetwork network;

    /** @param name names the deployment's logs: target/process-logs/deploy-{name}-{step}.log */
    OnTestHosts(String name) {
        this.name = name;
    }

    @BeforeEach
    final void createHosts() {
        deployment = Deployment.onTestHosts(name);
        network = deployment.network();
    }

    @AfterEach
    final void removeHosts() {
        if (deployment != null) {
            deployment.close();
        }
    }
}
