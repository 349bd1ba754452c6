package dev.ruta.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An instance that fails after receiving: it reads each request's head and then closes the
 * connection without answering, as a server crashing mid-request would.
 */
public final class DroppingServer implements AutoCloseable {

    private final ServerSocket socket;
    private final AtomicInteger received = new AtomicInteger();
    private final Thread acceptor;

    public DroppingServer() {
        try {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(this::acceptAll, "dropping-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptAll() {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                TestHttp.readHead(connection.getInputStream());
                received.incrementAndGet();
            } catch (IOException e) {
                // closed by close(), or the client gave up: either way nothing to answer
            }
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Requests whose head arrived here before the connection was dropped. */
    public int received() {
        return received.get();
    }

    @Override
    public void close() {
        try {
            socket.close();
            acceptor.join(5000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
