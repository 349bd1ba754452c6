package dev.ruta.balancer.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {

    @Test
    void dropsHopByHopHeadersAndThoseConnectionNames() {
        Map<String, List<String>> incoming = new LinkedHashMap<>();
        incoming.put("Connection", List.of("keep-alive, X-Secret-Hop"));
        incoming.put("Keep-Alive", List.of("timeout=5"));
        incoming.put("Transfer-Encoding", List.of("chunked"));
        incoming.put("Host", List.of("balancer:8080"));
        incoming.put("Content-Length", List.of("12"));
        incoming.put("X-Secret-Hop", List.of("1"));
        incoming.put("Accept", List.of("application/json"));
        incoming.put("Authorization", List.of("Bearer t"));

        Map<String, List<String>> kept = HeaderRules.endToEnd(incoming);

        assertEquals(Map.of("Accept", List.of("application/json"), "Authorization", List.of("Bearer t")), kept);
    }

    @Test
    void addsForwardedHeadersAppendingToAnExistingChain() {
        Map<String, List<String>> incoming = Map.of("X-Forwarded-For", List.of("198.18.0.7"), "Accept", List.of("*/*"));
        Map<String, List<String>> headers = HeaderRules.forwarded(incoming, "127.0.0.1", "balancer.example:8080", "http");
        assertEquals(List.of("198.18.0.7, 127.0.0.1"), headers.get("X-Forwarded-For"));
        assertEquals(List.of("balancer.example:8080"), headers.get("X-Forwarded-Host"));
        assertEquals(List.of("http"), headers.get("X-Forwarded-Proto"));
        assertEquals(List.of("*/*"), headers.get("Accept"));
    }

    @Test
    void dropsWhatAClientClaimsAboutItsRoute() {
        Map<String, List<String>> headers = HeaderRules.forwarded(Map.of("Forwarded", List.of("for=10.0.0.1"),
                "X-Real-IP", List.of("10.0.0.1"), "X-Original-URL", List.of("/admin"), "x-rewrite-url", List.of("/admin"),
                "Accept", List.of("*/*")), "127.0.0.1", "h:1", "http");
        assertEquals(List.of("Accept", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"), List.copyOf(headers.keySet()));
        assertEquals(List.of("127.0.0.1"), headers.get("X-Forwarded-For"));
    }
}
