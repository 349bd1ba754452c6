package dev.ruta.balancer.proxy.body;

import dev.ruta.balancer.proxy.http.HeaderRules;
import dev.ruta.balancer.proxy.transport.InstanceAnswer;
import dev.ruta.balancer.proxy.transport.InstanceCall;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An instance's answer on its way to the client: status and end-to-end headers, and the body,
 * either read whole (small answers, and error pages kept aside) or as a stream still arriving.
 * It ends once: {@link #close()} when the body went through whole, {@link #abort(boolean)} when
 * it did not, which closes the instance's connection.
 */
public final class UpstreamAnswer {

    public static final String INSTANCE_HEADER = "X-Ruta-Instance";
    /** Answers up to this size are read whole before anything goes to the client. */
    static final int SMALL = 16 * 1024;
    /** An error page kept aside while another instance is tried is read up to this much. */
    private static final int MAX_BUFFERED = 64 * 1024;
    private static final byte[] NONE = new byte[0];
    private static final Consumer<Boolean> NOTHING = failed -> { };

    private final int status;
    private final Map<String, List<String>> headers;
    private final long length;
    private final byte[] whole;
    private final InputStream stream;
    private final String instanceId;
    private final Response response;
    private final InstanceCall call;
    private final Consumer<Boolean> finished;
    private boolean ended;

    private UpstreamAnswer(int status, Map<String, List<String>> headers, long length, byte[] whole, InputStream stream,
                           String instanceId, Response response, InstanceCall call, Consumer<Boolean> finished) {
        this.status = status;
        this.headers = headers;
        this.length = length;
        this.whole = whole;
        this.stream = stream;
        this.instanceId = instanceId;
        this.response = response;
        this.call = call;
        this.finished = finished;
    }

    /**
     * A small answer of declared length is read whole here, so a cut or a stall in it is the
     * instance's failure before anything went to the client; a larger or open-ended one streams.
     *
     * @param finished told once whether the exchange with the instance failed
     * @throws IOException when a small answer's body broke off
     */
    public static UpstreamAnswer read(Response response, String instanceId, InstanceCall call, Consumer<Boolean> finished)
            throws IOException {
        Map<String, List<String>> headers = HeaderRules.endToEnd(response.getStringHeaders());
        InstanceAnswer answer = call.answer();
        long length = answer.length();
        if (length >= 0 && length <= SMALL) {
            byte[] body = readWhole(response, answer.body(), (int) length);
            finished.accept(false);
            return new UpstreamAnswer(response.getStatus(), headers, length, body, null, instanceId, null, call, NOTHING);
        }
        return new UpstreamAnswer(response.getStatus(), headers, length, null, answer.body(), instanceId, response,
                call, finished);
    }

    private static byte[] readWhole(Response response, InputStream body, int length) throws IOException {
        try (InputStream in = body) {
            // A HEAD answer declares the length of a body it does not carry: reading finds none.
            return length == 0 ? NONE : in.readNBytes(length);
        } finally {
            response.close();
        }
    }

    /** Read whole, up to 64 KiB, and released at once: kept aside while another instance is tried. */
    public static UpstreamAnswer buffered(Response response, String instanceId, InstanceCall call) {
        Map<String, List<String>> headers = HeaderRules.endToEnd(response.getStringHeaders());
        byte[] bytes;
        try (response; InputStream in = call.answer().body()) {
            bytes = in.readNBytes(MAX_BUFFERED);
        } catch (IOException | RuntimeException e) {
            bytes = NONE;
        }
        return new UpstreamAnswer(response.getStatus(), headers, bytes.length, bytes, null, instanceId, null, null, NOTHING);
    }

    public int status() {
        return status;
    }

    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The body's length, or -1 when the instance did not say. */
    public long length() {
        return length;
    }

    /** The whole body, when it was read before relaying; null for a streamed one. */
    public byte[] whole() {
        return whole;
    }

    /** The body still arriving, when it is not {@link #whole()}. */
    InputStream stream() {
        return stream;
    }

    public String instanceId() {
        return instanceId;
    }

    /** Whether the exchange with the instance was aborted from the client's side. */
    boolean wasAborted() {
        return call != null && call.isAborted();
    }

    /** The body went through whole: the instance's connection may serve another exchange. */
    public synchronized void close() {
        if (!ended) {
            ended = true;
            release();
            finished.accept(false);
        }
    }

    /**
     * The body did not go through: the instance's connection is closed, whatever it still sends.
     *
     * @param instanceFailed whether the instance broke off (counted as its failure) rather than the client
     */
    public synchronized void abort(boolean instanceFailed) {
        if (!ended) {
            ended = true;
            if (call != null) {
                call.abort();
            }
            release();
            finished.accept(instanceFailed);
        }
    }

    private void release() {
        try {
            if (response != null) {
                response.close();
            }
        } catch (RuntimeException e) {
            // Closing a broken connection may fail; it is being discarded either way.
        }
    }
}
