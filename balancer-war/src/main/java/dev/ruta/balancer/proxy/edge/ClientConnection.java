package dev.ruta.balancer.proxy.edge;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What Servlet cannot say about a client's connection, said to Payara's Grizzly connection
 * (RequestFacade → Catalina Request → Grizzly Request → Connection → its socket). On another
 * container each logs once and does nothing.
 */
public final class ClientConnection {

    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());
    /**
     * The kernel's send buffer toward a client, as the pre-boot commands' socket-write-buffer-size
     * says: Grizzly only ever raises a socket's buffer to it, and on loopback, or a link with a large
     * MTU, the kernel starts above it and autotunes to megabytes. (Linux doubles what is set.)
     */
    private static final int SEND_BUFFER = 128 * 1024;
    private static final ClientConnection UNREACHABLE = new ClientConnection(null);
    private static volatile Handles handles;
    private static volatile boolean unavailableLogged;

    /** Grizzly's connection, or null where it cannot be reached. */
    private final Object connection;

    private ClientConnection(Object connection) {
        this.connection = connection;
    }

    /** The connection a request came on; it stays the same after a protocol switch. */
    public static ClientConnection of(ServletRequest request) {
        ServletRequest inner = request;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        try {
            Handles found = handles;
            if (found == null) {
                found = Handles.of(inner);
                handles = found;
            }
            Object catalinaRequest = found.catalinaRequest.invoke(inner);
            Object grizzlyRequest = found.grizzlyRequest.invoke(catalinaRequest);
            return new ClientConnection(found.connection.invoke(grizzlyRequest));
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable(e);
            return UNREACHABLE;
        }
    }

    /**
     * Closes the connection under an answer already begun, once what is queued for it has gone:
     * completing the answer would make a cut one look whole to a client that frames by length.
     *
     * @return whether the connection was closed
     */
    public boolean close() {
        return connection != null && invoke(handles.closeSilently);
    }

    /**
     * Closes the connection at once, dropping whatever waits for a client that takes nothing: a
     * reset, so that neither Grizzly's queue nor the kernel's buffer outlives the cut.
     *
     * @return whether the connection was closed
     */
    public boolean abort() {
        if (connection == null) {
            return false;
        }
        if (socket() instanceof SocketChannel socket) {
            try {
                socket.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "The client's connection closed meanwhile", e);
            }
        }
        return invoke(handles.terminateSilently);
    }

    /** Bounds the kernel's send buffer toward this client, for an answer that may outrun its reader. */
    public void boundSendBuffer() {
        if (socket() instanceof SocketChannel socket) {
            try {
                if (socket.getOption(StandardSocketOptions.SO_SNDBUF) > 2 * SEND_BUFFER) {
                    socket.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "The client's connection closed meanwhile", e);
            }
        }
    }

    private Object socket() {
        if (connection == null) {
            return null;
        }
        try {
            return handles.getChannel.invoke(connection);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable(e);
            return null;
        }
    }

    private boolean invoke(Method method) {
        try {
            method.invoke(connection);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable(e);
            return false;
        }
    }

    private static void unavailable(Exception e) {
        if (!unavailableLogged) {
            unavailableLogged = true;
            LOG.log(Level.WARNING, "Cannot reach a client's connection on this container: a cut answer ends"
                    + " normally and the send buffer is the kernel's", e);
        }
    }

    /** The reflective steps, the same classes for every request: looked up once. */
    private record Handles(Method catalinaRequest, Method grizzlyRequest, Method connection, Method getChannel,
                           Method closeSilently, Method terminateSilently) {

        static Handles of(ServletRequest facade) throws ReflectiveOperationException {
            Method catalinaRequest = method(facade.getClass(), "getUnwrappedCoyoteRequest");
            Object catalina = catalinaRequest.invoke(facade);
            Method grizzlyRequest = method(catalina.getClass(), "getCoyoteRequest");
            Object grizzly = grizzlyRequest.invoke(catalina);
            Method connection = method(grizzly.getClass(), "getConnection");
            Class<?> connectionType = connection.invoke(grizzly).getClass();
            return new Handles(catalinaRequest, grizzlyRequest, connection, method(connectionType, "getChannel"),
                    method(connectionType, "closeSilently"), method(connectionType, "terminateSilently"));
        }

        private static Method method(Class<?> type, String name) throws NoSuchMethodException {
            Method method = type.getMethod(name);
            method.setAccessible(true);
            return method;
        }
    }
}
