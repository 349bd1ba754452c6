package dev.ruta.balancer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ruta.balancer.balancing.Failure;
import jakarta.ws.rs.ProcessingException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void readsTheCauseChain() {
        assertEquals(Failure.CONNECTION_REFUSED,
                Failures.classify(new ProcessingException(new ConnectException("Connection refused"))));
        assertEquals(Failure.CONNECT_TIMEOUT,
                Failures.classify(new ProcessingException(new SocketTimeoutException("connect timed out"))));
        assertEquals(Failure.READ_TIMEOUT,
                Failures.classify(new ProcessingException(new SocketTimeoutException("Read timed out"))));
        assertEquals(Failure.RESET_BEFORE_RESPONSE,
                Failures.classify(new ProcessingException(new SocketException("Unexpected end of file from server"))));
    }
}
