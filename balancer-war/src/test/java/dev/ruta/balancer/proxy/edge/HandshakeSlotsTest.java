package dev.ruta.balancer.proxy.edge;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HandshakeSlotsTest {

    @Test
    void anInstanceTakesItsNumberOfHandshakesAndNoMore() throws InterruptedException {
        HandshakeSlots slots = new HandshakeSlots(2, 10);
        assertTrue(slots.take("a", Duration.ZERO));
        assertTrue(slots.take("a", Duration.ZERO));
        assertFalse(slots.take("a", Duration.ofMillis(20)), "a third waits its patience out, then is refused");
        assertTrue(slots.take("b", Duration.ZERO), "another instance's slots are its own");
        slots.giveBack("a");
        assertTrue(slots.take("a", Duration.ZERO), "a slot given back is free again");
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
    }

    @Test
    void aSlotGivenBackGoesToAHandshakeWaitingForIt() throws Exception {
        HandshakeSlots slots = new HandshakeSlots(1, 10);
        assertTrue(slots.take("a", Duration.ZERO));
        AtomicBoolean taken = new AtomicBoolean();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                taken.set(slots.take("a", Duration.ofMinutes(1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await("the second handshake waits for the slot").atMost(Duration.ofSeconds(10))
                .until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        assertFalse(taken.get());
        slots.giveBack("a");
        waiter.join(Duration.ofSeconds(10));
        assertTrue(taken.get(), "the waiting handshake took the slot given back");
        assertFalse(slots.take("a", Duration.ZERO), "and holds it");
    }

    @Test
    void givingBackASlotNeverTakenIsABug() {
        HandshakeSlots slots = new HandshakeSlots(1, 1);
        assertThrows(IllegalStateException.class, () -> slots.giveBack("a"));
    }

    @Test
    void fewerThanOneSlotIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class, () -> new HandshakeSlots(0, 8));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeSlots(4, 0));
    }
}
