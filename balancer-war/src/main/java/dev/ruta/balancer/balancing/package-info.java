/**
 * Which instance next: the live upstreams (one per registered instance, with its REST client
 * and counters), the strategies chosen by {@code balancer.strategy}, passive ejection of
 * failing instances, and the rule for which failures may be retried elsewhere.
 */
package dev.ruta.balancer.balancing;
