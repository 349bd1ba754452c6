package dev.ruta.balancer.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(2);

    @ParameterizedTest(name = "{0} after {1}: {2}")
    @CsvSource({
        "GET, CONNECTION_REFUSED, true",
        "GET, CONNECT_TIMEOUT, true",
        "GET, RESET_BEFORE_RESPONSE, true",
        "GET, UNAVAILABLE_STATUS, true",
        "GET, READ_TIMEOUT, false",
        "HEAD, RESET_BEFORE_RESPONSE, true",
        "OPTIONS, UNAVAILABLE_STATUS, true",
        "PUT, RESET_BEFORE_RESPONSE, true",
        "DELETE, CONNECT_TIMEOUT, true",
        "POST, CONNECTION_REFUSED, true",
        "POST, CONNECT_TIMEOUT, false",
        "POST, RESET_BEFORE_RESPONSE, false",
        "POST, UNAVAILABLE_STATUS, false",
        "PATCH, CONNECTION_REFUSED, true",
        "PATCH, RESET_BEFORE_RESPONSE, false",
    })
    void retriesOnlyWhatIsSafeToSendTwice(String method, Failure failure, boolean expected) {
        assertEquals(expected, policy.mayRetry(method, failure, 1));
    }

    @Test
    void stopsAfterTheConfiguredRetries() {
        assertTrue(policy.mayRetry("GET", Failure.CONNECTION_REFUSED, 2));
        assertFalse(policy.mayRetry("GET", Failure.CONNECTION_REFUSED, 3));
        assertFalse(new RetryPolicy(0).mayRetry("GET", Failure.CONNECTION_REFUSED, 1));
    }

    @Test
    void everyFailureButSlownessEjects() {
        assertTrue(RetryPolicy.ejects(Failure.CONNECTION_REFUSED));
        assertTrue(RetryPolicy.ejects(Failure.UNAVAILABLE_STATUS));
        assertFalse(RetryPolicy.ejects(Failure.READ_TIMEOUT));
    }
}
