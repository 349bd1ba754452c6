/**
 * Tunnels: once an instance has switched protocols (WebSocket), bytes flow both ways unchanged
 * between the client's upgraded servlet connection and the instance's channel, with no thread
 * waiting on either. Each side is read only once the other has taken what came before, so a
 * side that does not read costs a bounded buffer, whatever the other sends. A tunnel idle
 * past its limit, or whose either side closes, is closed whole.
 */
package dev.ruta.balancer.proxy.tunnel;
