package dev.ruta.balancer.proxy.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.balancer.balancing.Failure;
import dev.ruta.balancer.proxy.transport.ConnectTimeoutException;
import dev.ruta.balancer.proxy.transport.CutAnswerException;
import dev.ruta.balancer.proxy.transport.MalformedAnswerException;
import dev.ruta.balancer.proxy.transport.NoAnswerException;
import jakarta.ws.rs.ProcessingException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void readsTheCauseChain() {
        assertEquals(Failure.CONNECTION_REFUSED,
                Failures.classify(new ProcessingException(new ConnectException("Connection refused"))));
        assertEquals(Failure.CONNECT_TIMEOUT,
                Failures.classify(new ProcessingException(new ConnectTimeoutException("No connection within 1s"))));
        assertEquals(Failure.READ_TIMEOUT,
                Failures.classify(new ProcessingException(new SocketTimeoutException("Read timed out"))));
        assertEquals(Failure.RESET_BEFORE_RESPONSE,
                Failures.classify(new ProcessingException(new SocketException("Unexpected end of file from server"))));
        assertEquals(Failure.RESET_BEFORE_RESPONSE,
                Failures.classify(new ProcessingException(new NoAnswerException("closed without answering"))));
        assertEquals(Failure.RESET_BEFORE_RESPONSE,
                Failures.classify(new ProcessingException(new CutAnswerException("closed 10 bytes early"))));
        assertEquals(Failure.MALFORMED_ANSWER,
                Failures.classify(new ProcessingException(new MalformedAnswerException("not a status line"))));
    }

    @Test
    void aRejectedExchangeIsTheBalancersOverloadNotTheInstancesFailure() {
        assertTrue(Failures.isOverload(new ProcessingException(new RejectedExecutionException("no thread"))));
        assertFalse(Failures.isOverload(new ProcessingException(new ConnectException("Connection refused"))));
    }
}
