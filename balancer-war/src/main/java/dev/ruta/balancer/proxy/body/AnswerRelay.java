package dev.ruta.balancer.proxy.body;

import dev.ruta.balancer.proxy.client.Failures;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves an answer's body from the instance to the client, each at its own pace. The calling
 * (exchange) thread reads from the instance into a {@link Backlog}; the client is written to
 * without blocking, by whichever thread finds it ready, so a slow client holds no thread and no
 * more than 64 KiB of heap. Flushed whenever the instance has nothing more ready, so Server-Sent
 * Events arrive event by event while a large body still moves in large writes. It ends one of
 * three ways: whole; the instance broke off (a cut, a stall past the read timeout, garbage), and
 * the client must see a cut too, never a whole-looking answer; or the client left. Either break
 * closes the instance's connection at once and deletes the backlog.
 */
public final class AnswerRelay implements WriteListener, StalledClients.Watched {

    private static final Logger LOG = Logger.getLogger(AnswerRelay.class.getName());
    private static final int CHUNK = 64 * 1024;

    private final UpstreamAnswer answer;
    private final ServletOutputStream out;
    private final Backlog backlog;
    private final Consumer<Ending> done;
    private final StalledClients stalled;
    /** When the client last stopped taking bytes that wait for it; 0 while it takes them. */
    private long blockedSince;
    private final byte[] outgoing = new byte[CHUNK];
    private boolean instanceDone;
    private boolean flushWanted;
    private boolean over;

    private AnswerRelay(UpstreamAnswer answer, ServletOutputStream out, Backlog backlog, Consumer<Ending> done,
                        StalledClients stalled) {
        this.stalled = stalled;
        this.answer = answer;
        this.out = out;
        this.backlog = backlog;
        this.done = done;
    }

    /**
     * Relays the whole body, returning once the instance has sent it all; the client may still be
     * taking it then. {@code done} is told once, when the client has it all or the exchange broke
     * off, how it ended.
     */
    public static void relay(UpstreamAnswer answer, ServletOutputStream out, Path backlogFolder, long maxBacklog,
                             StalledClients stalled, Consumer<Ending> done) {
        AnswerRelay relay = new AnswerRelay(answer, out, new Backlog(backlogFolder, maxBacklog), done, stalled);
        stalled.watch(relay);
        try {
            out.setWriteListener(relay);
        } catch (RuntimeException e) {
            synchronized (relay) {
                LOG.log(Level.FINE, "The answer from " + answer.instanceId() + " cannot be written to the client", e);
                relay.end(Ending.CLIENT_LEFT);
            }
            return;
        }
        relay.pumpFromInstance(answer.stream());
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
        } catch (Backlog.FullException e) {
            synchronized (this) {
                if (!over) {
                    LOG.log(Level.INFO, "Cut an answer from {0} for a client too slow to take it: {1}",
                            new Object[] {answer.instanceId(), e.getMessage()});
                    end(Ending.CLIENT_TOO_SLOW);
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                if (!over && answer.wasAborted()) {
                    // The client left, and its side closed the instance's connection under the pump.
                    end(Ending.CLIENT_LEFT);
                } else if (!over) {
                    LOG.log(Level.WARNING, "The answer from {0} broke off: {1}; its client''s answer is cut",
                            new Object[] {answer.instanceId(), Failures.describe(e)});
                    end(Ending.INSTANCE_BROKE_OFF);
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
        if (over) {
            // The container reports the connection this relay's own cut closed.
            return;
        }
        // The client left: the instance's connection is closed, which also stops the pump.
        LOG.log(Level.FINE, "The client of an answer from " + answer.instanceId() + " went away", error);
        end(Ending.CLIENT_LEFT);
    }

    /** Cuts the answer if its client has taken nothing for longer than {@code limitNanos}. */
    @Override
    public synchronized void cutIfStalled(long now, long limitNanos) {
        if (!over && blockedSince != 0 && now - blockedSince > limitNanos) {
            LOG.log(Level.INFO, "Cut an answer from {0}: its client took nothing of it for longer than balancer.write-timeout",
                    answer.instanceId());
            end(Ending.CLIENT_TOO_SLOW);
        }
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
                    blockedSince = 0;
                } else if (instanceDone) {
                    end(Ending.WHOLE);
                    return;
                } else if (flushWanted) {
                    flushWanted = false;
                    out.flush();
                } else {
                    return;
                }
            }
            // The client takes no more for now: onWritePossible comes when it does.
            if (blockedSince == 0) {
                blockedSince = Math.max(1, System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "The client of an answer from " + answer.instanceId() + " went away", e);
            end(Ending.CLIENT_LEFT);
        }
    }

    /** How an answer's relay ended; all but WHOLE leave the client's answer cut. */
    public enum Ending { WHOLE, INSTANCE_BROKE_OFF, CLIENT_TOO_SLOW, CLIENT_LEFT }

    private void end(Ending ending) {
        over = true;
        stalled.unwatch(this);
        try {
            backlog.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Could not delete an answer's backlog", e);
        }
        try {
            if (ending == Ending.WHOLE) {
                answer.close();
            } else {
                answer.abort(ending == Ending.INSTANCE_BROKE_OFF);
            }
        } finally {
            done.accept(ending);
        }
    }
}
