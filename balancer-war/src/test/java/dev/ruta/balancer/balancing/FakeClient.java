package dev.ruta.balancer.balancing;

/** Stands in for an HTTP client where only the choice of instance matters. */
final class FakeClient implements AutoCloseable {

    boolean closed;

    @Override
    public void close() {
        closed = true;
    }
}
