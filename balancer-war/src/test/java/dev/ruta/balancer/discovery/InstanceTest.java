package dev.ruta.balancer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class InstanceTest {

    @Test
    void anIpv4AddressOrAHostNameIsWrittenAsItIs() {
        Instance instance = new Instance("a", "operations", "10.0.0.7", 8081, "", 1);
        assertEquals("10.0.0.7", instance.host());
        assertEquals("http://10.0.0.7:8081", instance.baseUrl());
        assertEquals("node-1.example", new Instance("b", "operations", "node-1.example", 80, "", 1).host());
    }

    @Test
    void anIpv6AddressIsBracketedAsAUrlAndAHostHeaderNeedIt() {
        Instance instance = new Instance("a", "operations", "fd00::7", 8081, "", 1);
        assertEquals("[fd00::7]", instance.host());
        assertEquals("http://[fd00::7]:8081", instance.baseUrl());
    }
}
