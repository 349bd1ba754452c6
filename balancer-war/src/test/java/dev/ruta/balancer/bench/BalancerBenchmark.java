package dev.ruta.balancer.bench;

import dev.ruta.balancer.it.LocalSystem;
import dev.ruta.testing.ConsulAgent;
import dev.ruta.testing.ConsulExtension;
import dev.ruta.testing.PayaraProcess;
import dev.ruta.testing.TestHttp;
import java.net.URI;
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

    private static final int WARM_UP = 2_000;
    private static final int MEASURED = 5_000;
    private static final int ROUNDS = 3;

    @Test
    void directVersusThroughTheBalancer(ConsulAgent consul) {
        try (LocalSystem system = new LocalSystem(consul)) {
            List<PayaraProcess> instances = system.startSeed(3, "bench");
            PayaraProcess direct = instances.get(0);
            IntFunction<URI> straight = i -> direct.url("/api/operations/add?a=" + i + "&b=1");
            IntFunction<URI> balanced = i -> system.viaBalancer("/api/operations/add?a=" + i + "&b=1");
            run(straight, WARM_UP);
            run(balanced, WARM_UP);
            System.out.printf("%-7s %14s %14s %8s%n", "round", "direct req/s", "balancer req/s", "ratio");
            for (int round = 1; round <= ROUNDS; round++) {
                double directRate = run(straight, MEASURED);
                double balancedRate = run(balanced, MEASURED);
                System.out.printf("%-7d %14.0f %14.0f %8.2f%n", round, directRate, balancedRate, balancedRate / directRate);
            }
        }
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
