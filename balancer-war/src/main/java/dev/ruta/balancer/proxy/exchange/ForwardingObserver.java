package dev.ruta.balancer.proxy.exchange;

import dev.ruta.balancer.discovery.Instance;
import java.time.Duration;

/** Told what forwarding did, for metrics; implemented a layer up, so forwarding knows no metrics API. */
public interface ForwardingObserver {

    void requested(Instance instance, Duration took, boolean failed);

    void retried(String service);

    void ejected(Instance instance);
}
