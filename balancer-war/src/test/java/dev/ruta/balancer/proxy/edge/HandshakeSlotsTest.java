package dev.ruta.balancer.proxy.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class HandshakeSlotsTest {

    @Test
    void anInstanceTakesItsNumberOfHandshakesAndNoMore() throws InterruptedException {
        HandshakeSlots slots = new HandshakeSlots(2, 10);
        assertTrue(slots.take("a", Duration.ZERO));
        assertTrue(slots.take("a", Duration.ZERO));
        assertFalse(slots.take("a", Duration.ofMillis(20)), "a third waits its patience out, then is refused");
        assertEquals(2, slots.waitingOn("a"));
        assertTrue(slots.take("b", Duration.ZERO), "another instance's slots are its own");
    }

    @Test
    void allInstancesTogetherTakeNoMoreThanTheOverallLimit() throws InterruptedException {
        HandshakeSlots slots = new HandshakeSlots(4, 3);
        assertTrue(slots.take("a", Duration.ZERO));
        assertTrue(slots.take("b", Duration.ZERO));
        assertTrue(slots.take("c", Duration.ZERO));
        assertFalse(slots.take("d", Duration.ZERO), "d has slots of its own, but the balancer has none left");
        slots.giveBack("b");
        assertTrue(slots.take("d", Duration.ZERO));
        slots.giveBack("never-taken");
        assertFalse(slots.take("e", Duration.ZERO), "giving back what was never taken frees nothing");
    }

    @Test
    void aSlotGivenBackGoesToAHandshakeWaitingForIt() throws Exception {
        HandshakeSlots slots = new HandshakeSlots(1, 10);
        assertTrue(slots.take("a", Duration.ZERO));
        try (ExecutorService waiter = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Boolean> taken = CompletableFuture.supplyAsync(() -> {
                try {
                    return slots.take("a", Duration.ofMinutes(1));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, waiter);
            assertFalse(taken.isDone(), "it waits while the slot is held");
            slots.giveBack("a");
            await().atMost(Duration.ofSeconds(10)).until(taken::isDone);
            assertTrue(taken.get());
        }
        assertEquals(1, slots.waitingOn("a"));
        slots.giveBack("a");
        assertEquals(0, slots.waitingOn("a"));
    }

    @Test
    void fewerThanOneSlotIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class, () -> new HandshakeSlots(0, 8));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeSlots(4, 0));
    }
}
