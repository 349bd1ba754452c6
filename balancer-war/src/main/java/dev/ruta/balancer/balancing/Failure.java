package dev.ruta.balancer.balancing;

/** How an attempt to reach an instance failed. */
public enum Failure {
    /** Nothing listened: the request never reached the instance. */
    CONNECTION_REFUSED,
    /** No connection within the connect timeout: the request was not sent. */
    CONNECT_TIMEOUT,
    /** The connection broke before any response: the instance may have received the request. */
    RESET_BEFORE_RESPONSE,
    /** What the instance sent is not HTTP/1.1 (status line, header fields or framing): it is broken. */
    MALFORMED_ANSWER,
    /** The instance answered 502, 503 or 504. */
    UNAVAILABLE_STATUS,
    /** The instance took longer than balancer.read-timeout to answer. */
    READ_TIMEOUT
}
