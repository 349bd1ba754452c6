package dev.ruta.balancer.proxy.tunnel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.WebConnection;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both sides of a tunnel closing at the same moment, as Grizzly does it: its thread holds a lock
 * of its own (a suspended response's) while it tells the tunnel the client went, and closing the
 * client's side takes that same lock. The tunnels' thread once closed the client's side under the
 * tunnel's lock, and the two threads waited on each other for ever, every later tunnel unwatched
 * (issue 30). The container is imitated; the instance's side is a real loopback connection.
 */
class TunnelTest {

    private final Object suspended = new Object();
    private ServerSocketChannel server;
    private TunnelHub hub;

    @BeforeEach
    void start() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        hub = new TunnelHub(Duration.ofHours(1), Duration.ofHours(1), Executors.defaultThreadFactory());
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        // On its own thread: were the tunnels' thread stuck, closing would wait on it for ever.
        Thread closing = new Thread(hub::close, "closing-the-hub");
        closing.setDaemon(true);
        closing.start();
        closing.join(10_000);
        server.close();
    }

    @Test
    void theContainerClosingTheClientWhileTheInstanceClosesDeadlocksNothing() throws Exception {
        ImitatedClient client = new ImitatedClient();
        CountDownLatch ended = new CountDownLatch(1);
        SocketChannel instancePeer = open(client, ended);

        // The container's thread: it holds its lock, and under it reports the client's end.
        CountDownLatch containerDone = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        Thread container = new Thread(() -> {
            synchronized (suspended) {
                holding.countDown();
                try {
                    client.closing.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                client.readListener.onError(new EOFException("the client went"));
            }
            containerDone.countDown();
        }, "imitated-grizzly");
        container.setDaemon(true);
        container.start();
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        // The instance goes at the same moment: the tunnels' thread reads its end.
        instancePeer.close();

        assertTrue(containerDone.await(10, TimeUnit.SECONDS), "the container's thread went on");
        assertTrue(ended.await(10, TimeUnit.SECONDS), "the tunnel closed");
        assertTrue(client.closed.await(10, TimeUnit.SECONDS), "the client's side was closed");

        // The tunnels' thread still serves: the next tunnel's instance end is seen.
        ImitatedClient next = new ImitatedClient();
        CountDownLatch nextEnded = new CountDownLatch(1);
        open(next, nextEnded).close();
        assertTrue(nextEnded.await(10, TimeUnit.SECONDS), "a later tunnel is still watched");
        assertFalse(hub.lagNanos(System.nanoTime()) > Duration.ofSeconds(5).toNanos(), "the tunnels' thread goes round");
    }

    /** A tunnel joined to a fresh loopback connection; returns the instance's end of it. */
    private SocketChannel open(ImitatedClient client, CountDownLatch ended) throws IOException {
        SocketChannel instance = SocketChannel.open(server.getLocalAddress());
        SocketChannel peer = server.accept();
        Tunnel tunnel = new Tunnel();
        tunnel.join(hub, instance, ByteBuffer.allocate(0), "test", closed -> ended.countDown(), () -> { });
        tunnel.init(client);
        return peer;
    }

    /** The client's upgraded connection as Payara's behaves where it matters here. */
    private final class ImitatedClient implements WebConnection {

        final CountDownLatch closing = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        volatile ReadListener readListener;

        private final ServletInputStream in = new ServletInputStream() {
            @Override
            public boolean isFinished() {
                return false;
            }

            @Override
            public boolean isReady() {
                return false;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                readListener = listener;
            }

            @Override
            public int read() {
                return -1;
            }
        };

        private final ServletOutputStream out = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                // As the container does: the listener is told at once that it may write.
                try {
                    listener.onWritePossible();
                } catch (IOException e) {
                    listener.onError(e);
                }
            }

            @Override
            public void write(int b) {
                // Taken.
            }
        };

        @Override
        public ServletInputStream getInputStream() {
            return in;
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return out;
        }

        /** Closing takes the container's lock, as Grizzly's resume of the suspended response does. */
        @Override
        public void close() {
            closing.countDown();
            synchronized (suspended) {
                closed.countDown();
            }
        }
    }
}
