/**
 * Which instance next: the routing table (the balancer's one routing state: each routed
 * service's upstreams with their counters, following discovery's snapshots), the strategies
 * chosen by {@code balancer.strategy}, passive ejection of failing instances, and the rule for
 * which failures may be retried elsewhere.
 */
package dev.ruta.balancer.balancing;
