package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BlockingIndexTest {

    @Test
    void followsTheReturnedIndex() {
        assertEquals(42, BlockingIndex.next(0, 42));
        assertEquals(43, BlockingIndex.next(42, 43));
        assertEquals(42, BlockingIndex.next(42, 42));
    }

    @Test
    void startsOverWhenTheIndexGoesBackwards() {
        assertEquals(0, BlockingIndex.next(42, 7));
    }

    @Test
    void neverWaitsOnZero() {
        assertEquals(1, BlockingIndex.next(0, 0));
    }
}
