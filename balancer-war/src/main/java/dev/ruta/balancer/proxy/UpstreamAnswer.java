package dev.ruta.balancer.proxy;

import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * An instance's answer on its way to the client: status and end-to-end headers, and the body
 * as a stream still arriving from the instance. {@link #close()} ends the exchange with the
 * instance, whether or not the body went through.
 */
final class UpstreamAnswer implements AutoCloseable {

    static final String INSTANCE_HEADER = "X-Ruta-Instance";

    private final int status;
    private final Map<String, List<String>> headers;
    private final long length;
    private final InputStream body;
    private final String instanceId;
    private final Response response;
    private final Runnable finished;
    private boolean closed;

    private UpstreamAnswer(int status, Map<String, List<String>> headers, long length, InputStream body,
                           String instanceId, Response response, Runnable finished) {
        this.status = status;
        this.headers = headers;
        this.length = length;
        this.body = body;
        this.instanceId = instanceId;
        this.response = response;
        this.finished = finished;
    }

    /** An error page kept aside while another instance is tried is read up to this much. */
    private static final int MAX_BUFFERED = 64 * 1024;

    /**
     * The answer as it streams; {@code finished} runs once, when it is closed. Not hasEntity():
     * it waits for the first byte, and a stream's status and headers must go out before that.
     */
    static UpstreamAnswer streaming(Response response, String instanceId, Runnable finished) {
        InputStream body = response.getLength() == 0 ? null : response.readEntity(InputStream.class);
        return new UpstreamAnswer(response.getStatus(), HeaderRules.endToEnd(response.getStringHeaders()),
                response.getLength(), body, instanceId, response, finished);
    }

    /** Read whole and released at once: kept aside while another instance is tried. */
    static UpstreamAnswer buffered(Response response, String instanceId) {
        try (response) {
            InputStream in = response.getLength() == 0 ? null : response.readEntity(InputStream.class);
            byte[] bytes = in == null ? new byte[0] : in.readNBytes(MAX_BUFFERED);
            return new UpstreamAnswer(response.getStatus(), HeaderRules.endToEnd(response.getStringHeaders()),
                    bytes.length, new ByteArrayInputStream(bytes), instanceId, null, () -> { });
        } catch (IOException e) {
            return new UpstreamAnswer(response.getStatus(), HeaderRules.endToEnd(response.getStringHeaders()), 0, null,
                    instanceId, null, () -> { });
        }
    }

    int status() {
        return status;
    }

    Map<String, List<String>> headers() {
        return headers;
    }

    /** The body's length, or -1 when the instance did not say. */
    long length() {
        return length;
    }

    /** The body, or null when there is none. */
    InputStream body() {
        return body;
    }

    String instanceId() {
        return instanceId;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (response != null) {
                response.close();
            }
        } catch (RuntimeException e) {
            // Closing a broken connection may fail; it is being discarded either way.
        } finally {
            finished.run();
        }
    }
}
