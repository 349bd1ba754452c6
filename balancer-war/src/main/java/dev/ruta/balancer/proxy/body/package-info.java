/**
 * Bodies between a client and an instance, each side at its own pace: a request body read whole
 * without blocking before it is forwarded, and an instance's answer on its way to the client,
 * relayed through a backlog that spills to disk past 64 KiB, with the watch that cuts an answer
 * whose client has stopped taking it. No client's pace holds a thread or fills the heap.
 * <p>
 * It may use {@code client} (the request body it fills, and how a broken exchange is described),
 * {@code transport}, {@code http} and {@code error}; never {@code exchange} or {@code edge}, which
 * call it. The request body itself lives in {@code client}, since every call the REST client
 * makes carries one.
 */
package dev.ruta.balancer.proxy.body;
