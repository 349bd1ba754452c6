package dev.ruta.operations.api;

import dev.ruta.operations.api.error.BodyTooLargeException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses a request body over {@link #MAX_BODY_BYTES} with 413 before JAX-RS reads it into a
 * String: by its declared length at once, and otherwise as soon as more has arrived. A 400 MB
 * body read whole took the instance out of memory.
 */
@Provider
@PreMatching
public class BodyLimitFilter implements ContainerRequestFilter {

    /** The one limit on a body's size: 64 KiB, whatever it holds (413 beyond it). */
    static final long MAX_BODY_BYTES = 64 * 1024;

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getLength() > MAX_BODY_BYTES) {
            throw new BodyTooLargeException(MAX_BODY_BYTES);
        }
        if (request.hasEntity()) {
            request.setEntityStream(new Limited(request.getEntityStream()));
        }
    }

    private static final class Limited extends FilterInputStream {

        private long read;

        Limited(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int value = super.read();
            if (value >= 0) {
                count(1);
            }
            return value;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int count = super.read(buffer, offset, length);
            if (count > 0) {
                count(count);
            }
            return count;
        }

        private void count(int bytes) {
            read += bytes;
            if (read > MAX_BODY_BYTES) {
                throw new BodyTooLargeException(MAX_BODY_BYTES);
            }
        }
    }
}
