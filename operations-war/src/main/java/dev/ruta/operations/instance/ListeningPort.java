package dev.ruta.operations.instance;

import java.util.Collection;
import java.util.OptionalInt;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP port this server really listens on. Payara Micro hands {@code --port} and
 * {@code --autoBindHttp} to no system property the application can read, but its runtime
 * describes the bound listeners. Reflection keeps the WAR free of a compile dependency on
 * the 100 MB Payara Micro jar, and lets it deploy on other servers with a configured port.
 */
public final class ListeningPort {

    private static final Logger LOG = Logger.getLogger(ListeningPort.class.getName());
    private static final String PAYARA_MICRO = "fish.payara.micro.PayaraMicro";

    private ListeningPort() {
    }

    /**
     * The port Payara Micro bound; the fallback when running on another server. Empty while
     * Payara Micro is still booting: its runtime exists only once boot is over.
     */
    public static OptionalInt find(int fallback) {
        Class<?> micro;
        try {
            micro = Class.forName(PAYARA_MICRO, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            return OptionalInt.of(fallback);
        }
        try {
            Object instance = micro.getMethod("getInstance").invoke(null);
            Object runtime = micro.getMethod("getRuntime").invoke(instance);
            Object descriptor = runtime.getClass().getMethod("getLocalDescriptor").invoke(runtime);
            Collection<?> ports = (Collection<?>) descriptor.getClass().getMethod("getHttpPorts").invoke(descriptor);
            return ports.stream()
                    .filter(Integer.class::isInstance)
                    .mapToInt(Integer.class::cast)
                    .findFirst();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "Payara Micro runtime not ready yet: {0}", String.valueOf(e));
            return OptionalInt.empty();
        }
    }
}
