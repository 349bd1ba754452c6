package dev.ruta.balancer.proxy;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes a client's connection under an answer already begun. Servlet has no portable way to
 * end a response as a failure: completing it would make a cut answer look whole to a client
 * that frames by length, or leave it waiting for bytes that never come. So this reaches
 * Payara's Grizzly connection (RequestFacade → Catalina Request → Grizzly Request →
 * Connection) and closes it; on another container it logs once and completes normally.
 */
final class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());
    private static volatile boolean unavailableLogged;

    private ClientConnection() {
    }

    /** @return whether the connection was closed */
    static boolean close(ServletRequest request) {
        ServletRequest inner = request;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        try {
            Field field = field(inner.getClass(), "request");
            field.setAccessible(true);
            Object catalinaRequest = field.get(inner);
            Object grizzlyRequest = method(catalinaRequest.getClass(), "getCoyoteRequest").invoke(catalinaRequest);
            Object connection = method(grizzlyRequest.getClass(), "getConnection").invoke(grizzlyRequest);
            method(connection.getClass(), "closeSilently").invoke(connection);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (!unavailableLogged) {
                unavailableLogged = true;
                LOG.log(Level.WARNING, "Cannot close a client's connection on this container: a cut answer ends normally", e);
            }
            return false;
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // Declared higher up.
            }
        }
        throw new NoSuchFieldException(name);
    }

    private static Method method(Class<?> type, String name) throws NoSuchMethodException {
        Method method = type.getMethod(name);
        method.setAccessible(true);
        return method;
    }
}
