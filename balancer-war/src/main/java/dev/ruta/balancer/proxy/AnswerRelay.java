package dev.ruta.balancer.proxy;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves an answer's body from the instance to the client, each at its own pace. The calling
 * thread reads from the instance (the connector reads on whatever the client does) into a
 * {@link Backlog}; the client is written to without blocking, by whichever thread finds it
 * ready, so a slow client holds no thread and no more than 64 KiB of heap. Flushed whenever the
 * instance has nothing more ready, so Server-Sent Events arrive event by event while a large
 * body still moves in large writes. When the client leaves, the exchange with the instance is
 * closed at once.
 */
final class AnswerRelay implements WriteListener {

    private static final Logger LOG = Logger.getLogger(AnswerRelay.class.getName());
    private static final int CHUNK = 64 * 1024;

    private final UpstreamAnswer answer;
    private final ServletOutputStream out;
    private final Backlog backlog;
    private final Runnable done;
    private final byte[] outgoing = new byte[CHUNK];
    private boolean instanceDone;
    private boolean flushWanted;
    private boolean over;

    private AnswerRelay(UpstreamAnswer answer, ServletOutputStream out, Backlog backlog, Runnable done) {
        this.answer = answer;
        this.out = out;
        this.backlog = backlog;
        this.done = done;
    }

    /**
     * Relays the whole body, returning once the instance has sent it all; the client may still be
     * taking it then. {@code done} runs once, when the client has it all or the exchange broke off.
     */
    static void relay(UpstreamAnswer answer, ServletOutputStream out, Path backlogFolder, long maxBacklog, Runnable done) {
        AnswerRelay relay = new AnswerRelay(answer, out, new Backlog(backlogFolder, maxBacklog), done);
        try {
            out.setWriteListener(relay);
        } catch (RuntimeException e) {
            synchronized (relay) {
                LOG.log(Level.FINE, "The answer from " + answer.instanceId() + " cannot be written to the client", e);
                relay.end();
            }
            return;
        }
        relay.pumpFromInstance(answer.body());
    }

    private void pumpFromInstance(InputStream body) {
        byte[] incoming = new byte[CHUNK];
        try {
            while (true) {
                int read = readWhatHasArrived(body, incoming);
                synchronized (this) {
                    if (over) {
                        return;
                    }
                    if (read < 0) {
                        instanceDone = true;
                    } else {
                        backlog.add(incoming, 0, read);
                        flushWanted = body.available() == 0;
                    }
                    writeToClient();
                }
                if (read < 0) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                if (!over) {
                    // The instance broke off mid-body, or the backlog is full.
                    LOG.log(Level.FINE, "Relay of an answer from " + answer.instanceId() + " broke off", e);
                    end();
                }
            }
        }
    }

    /**
     * Waits for at least one byte, then takes all that has arrived, up to a chunk: Jersey's entity
     * streams block until a read is filled, and the connector's own buffers are small, so reading
     * one of them at a time would fall behind a fast instance.
     */
    private static int readWhatHasArrived(InputStream body, byte[] incoming) throws IOException {
        int ready = body.available();
        int filled = body.read(incoming, 0, ready > 0 ? Math.min(ready, incoming.length) : 1);
        if (filled < 0) {
            return filled;
        }
        while (filled < incoming.length && (ready = body.available()) > 0) {
            int read = body.read(incoming, filled, Math.min(ready, incoming.length - filled));
            if (read < 0) {
                break;
            }
            filled += read;
        }
        return filled;
    }

    @Override
    public synchronized void onWritePossible() {
        writeToClient();
    }

    @Override
    public synchronized void onError(Throwable error) {
        // The client left: the instance's connection is closed, which also stops the pump.
        LOG.log(Level.FINE, "The client of an answer from " + answer.instanceId() + " went away", error);
        end();
    }

    private void writeToClient() {
        if (over) {
            return;
        }
        try {
            while (out.isReady()) {
                int count = backlog.take(outgoing);
                if (count > 0) {
                    out.write(outgoing, 0, count);
                } else if (instanceDone) {
                    end();
                    return;
                } else if (flushWanted) {
                    flushWanted = false;
                    out.flush();
                } else {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "The client of an answer from " + answer.instanceId() + " went away", e);
            end();
        }
    }

    private void end() {
        over = true;
        try {
            backlog.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not delete an answer's backlog", e);
        }
        try {
            answer.close();
        } finally {
            done.run();
        }
    }
}
