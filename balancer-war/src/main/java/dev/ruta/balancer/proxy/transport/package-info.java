/**
 * HTTP/1.1 to the instances, beneath the REST client: kept-alive connections per instance, an
 * {@link dev.ruta.balancer.proxy.transport.InstanceCall} handle that aborts one exchange from any
 * thread, strict parsing of what an instance answers, and answer bodies that end cleanly only
 * at the end their framing declares (a cut throws). Knows nothing of Jersey, servlets or routing.
 */
package dev.ruta.balancer.proxy.transport;
