package dev.ruta.operations.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostAddressTest {

    private static InetAddress ip(String text) throws UnknownHostException {
        return InetAddress.getByName(text);
    }

    @Test
    void picksTheFirstNonLoopbackIpv4() throws UnknownHostException {
        assertEquals("198.18.0.2", HostAddress.firstNonLoopbackIpv4(
                List.of(ip("127.0.0.1"), ip("fe80::1"), ip("169.254.1.1"), ip("2001:db8::1"), ip("198.18.0.2"), ip("198.18.0.3"))));
    }

    @Test
    void fallsBackToLoopback() throws UnknownHostException {
        assertEquals("127.0.0.1", HostAddress.firstNonLoopbackIpv4(List.of(ip("127.0.0.1"), ip("::1"))));
        assertEquals("127.0.0.1", HostAddress.firstNonLoopbackIpv4(List.of()));
    }
}
