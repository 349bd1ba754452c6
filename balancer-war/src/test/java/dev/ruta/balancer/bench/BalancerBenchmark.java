package dev.ruta.balancer.bench;

import dev.ruta.balancer.it.LocalSystem;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.TestHttp;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the balancer costs per request: the same sequential GETs sent straight to one instance
 * and through the balancer to three, measured side by side in one run. Prints figures, asserts
 * nothing about speed. Not part of {@code mvn verify}; run it with
 * {@code mvn -pl balancer-war verify -Dit.test=BalancerBenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(ConsulExtension.class)
class BalancerBenchmark {

    /** Warm-up batches end when two in a row differ by less than this... */
    private static final double STEADY = 0.05;
    /** ... or after this many: the balancer's deep call stacks take the JIT 20,000+ requests. */
    private static final int MAX_WARM_UP_BATCHES = 20;
    private static final int MEASURED = 5_000;
    private static final int ROUNDS = 3;

    @Test
    void directVersusThroughTheBalancer(ConsulAgent consul) {
        try (LocalSystem system = new LocalSystem(consul)) {
            List<PayaraProcess> instances = system.startSeed(3, "bench");
            PayaraProcess direct = instances.get(0);
            IntFunction<URI> straight = i -> direct.url("/api/operations/add?a=" + i + "&b=1");
            IntFunction<URI> balanced = i -> system.viaBalancer("/api/operations/add?a=" + i + "&b=1");
            warmUp("direct", straight);
            warmUp("balancer", balanced);
            System.out.printf("%-7s %14s %14s %8s %22s %22s%n", "round", "direct req/s", "balancer req/s", "ratio",
                    "instance CPU ms/req", "balancer CPU ms/req");
            for (int round = 1; round <= ROUNDS; round++) {
                Duration instanceBefore = cpu(direct);
                double directRate = run(straight, MEASURED);
                double instanceCpu = millisPerRequest(instanceBefore, cpu(direct));
                Duration balancerBefore = cpu(system.balancer());
                double balancedRate = run(balanced, MEASURED);
                double balancerCpu = millisPerRequest(balancerBefore, cpu(system.balancer()));
                System.out.printf("%-7d %14.0f %14.0f %8.2f %22.3f %22.3f%n", round, directRate, balancedRate,
                        balancedRate / directRate, instanceCpu, balancerCpu);
            }
        }
    }

    /** Sends batches until the rate stops climbing, so the rounds measure compiled code. */
    private static void warmUp(String name, IntFunction<URI> target) {
        double previous = run(target, MEASURED);
        for (int batch = 2; batch <= MAX_WARM_UP_BATCHES; batch++) {
            double rate = run(target, MEASURED);
            if (Math.abs(rate - previous) < STEADY * previous) {
                System.out.printf("%s warm after %d requests: %.0f req/s%n", name, batch * MEASURED, rate);
                return;
            }
            previous = rate;
        }
        System.out.printf("%s still not steady after %d requests%n", name, MAX_WARM_UP_BATCHES * MEASURED);
    }

    /** CPU time the server's process has used so far (user and system). */
    private static Duration cpu(PayaraProcess server) {
        return ProcessHandle.of(server.pid()).flatMap(process -> process.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("no CPU time for pid " + server.pid()));
    }

    private static double millisPerRequest(Duration before, Duration after) {
        return after.minus(before).toNanos() / 1e6 / MEASURED;
    }

    /** Requests per second over {@code count} sequential GETs; every answer must be a 200. */
    private static double run(IntFunction<URI> target, int count) {
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int status = TestHttp.get(target.apply(i)).status();
            if (status != 200) {
                throw new IllegalStateException("request " + i + " answered " + status);
            }
        }
        return count / ((System.nanoTime() - started) / 1e9);
    }
}
