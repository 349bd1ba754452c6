package dev.ruta.balancer.proxy.transport;

/** How an answer's body ends (RFC 9112 §6.3). */
public enum Framing {
    /** No body: HEAD, 204, 304. */
    NONE,
    /** Content-Length bytes. */
    LENGTH,
    /** Chunked: ends with its last, empty chunk. */
    CHUNKED,
    /** Ends when the instance closes the connection: a close is the clean end, nothing can be a cut. */
    UNTIL_CLOSE
}
