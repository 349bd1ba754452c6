package dev.ruta.balancer.discovery;

/** Told by an {@link InstanceSource} whenever what it knows changes. */
public interface DiscoveryListener {

    /** The service's passing instances are now exactly these. */
    void instancesChanged(ServiceSnapshot snapshot);

    /** The service is gone from the registry, or no longer carries the routing tag. */
    void serviceRemoved(String service);
}
