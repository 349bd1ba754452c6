package dev.ruta.operations.instance;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Finds the address other machines can reach this one at, as the seed's VMs did. */
public final class HostAddress {

    private static final Logger LOG = Logger.getLogger(HostAddress.class.getName());
    static final String LOOPBACK = "127.0.0.1";

    private HostAddress() {
    }

    /** The first non-loopback IPv4 address of an interface that is up, else 127.0.0.1. */
    public static String firstNonLoopbackIpv4() {
        try {
            return firstNonLoopbackIpv4(NetworkInterface.networkInterfaces()
                    .filter(HostAddress::isUsable)
                    .sorted(Comparator.comparingInt(NetworkInterface::getIndex))
                    .flatMap(NetworkInterface::inetAddresses)
                    .toList());
        } catch (SocketException e) {
            LOG.log(Level.WARNING, "Cannot list network interfaces ({0}); advertising {1}",
                    new Object[] {e.getMessage(), LOOPBACK});
            return LOOPBACK;
        }
    }

    static String firstNonLoopbackIpv4(List<InetAddress> addresses) {
        Optional<InetAddress> first = addresses.stream()
                .filter(Inet4Address.class::isInstance)
                .filter(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress())
                .findFirst();
        return first.map(InetAddress::getHostAddress).orElse(LOOPBACK);
    }

    private static boolean isUsable(NetworkInterface networkInterface) {
        try {
            return networkInterface.isUp() && !networkInterface.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }
}
