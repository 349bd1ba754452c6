package dev.ruta.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts the run's shared {@link ConsulAgent} before a test class and stops it once the whole
 * run is over. Tests receive it as a parameter; a test that stops it starts it again.
 */
public final class ConsulExtension implements BeforeAllCallback, ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
        store.getOrComputeIfAbsent(ConsulAgent.class, key -> new StoppedAtEnd(ConsulAgent.shared()), StoppedAtEnd.class);
        ConsulAgent.shared().start();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ConsulAgent.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return ConsulAgent.shared().start();
    }

    private record StoppedAtEnd(ConsulAgent agent) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            agent.close();
        }
    }
}
