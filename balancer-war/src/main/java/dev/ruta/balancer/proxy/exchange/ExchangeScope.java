package dev.ruta.balancer.proxy.exchange;

import dev.ruta.balancer.proxy.transport.InstanceCall;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One forwarded request's life on the client's side: its access record, the attempt in
 * progress, and the one ending that releases its permit, logs it and completes it, whichever
 * path gets there first. When the container reports the client's connection broken, the
 * attempt in progress is aborted, so the instance's connection goes too.
 */
public final class ExchangeScope implements AsyncListener {

    private final AsyncContext async;
    private final AccessRecord record;
    private final Runnable ending;
    private final AtomicReference<InstanceCall> call = new AtomicReference<>();
    private final AtomicBoolean ended = new AtomicBoolean();

    /** @param ending runs once, when the exchange ends; it completes {@code async} */
    public ExchangeScope(AsyncContext async, AccessRecord record, Runnable ending) {
        this.async = async;
        this.record = record;
        this.ending = ending;
        async.addListener(this);
    }

    public AsyncContext async() {
        return async;
    }

    AccessRecord record() {
        return record;
    }

    /** The attempt now in progress, the one a broken client connection aborts. */
    void calling(InstanceCall attempt) {
        call.set(attempt);
        if (ended.get()) {
            attempt.abort();
        }
    }

    /** Ends the exchange; a second call does nothing. */
    public void end() {
        if (ended.compareAndSet(false, true)) {
            ending.run();
        }
    }

    public boolean isEnded() {
        return ended.get();
    }

    private void abortCall() {
        InstanceCall attempt = call.get();
        if (attempt != null) {
            attempt.abort();
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        clientGone();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        clientGone();
    }

    /** Ended first, so that an attempt starting meanwhile sees it and aborts itself. */
    private void clientGone() {
        boolean first = ended.compareAndSet(false, true);
        abortCall();
        if (first) {
            ending.run();
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        // Ended by us: nothing left to release.
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }
}
