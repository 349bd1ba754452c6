package dev.ruta.balancer.proxy.http;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/** Which headers cross the balancer (RFC 9110 §7.6.1) and which it adds (X-Forwarded-*). */
public final class HeaderRules {

    /**
     * Meaningful for one connection only; never forwarded. Content-Length is recomputed. Expect
     * too: the balancer reads a body whole before it forwards it, so it answers 100 Continue
     * itself and an instance has nothing left to wait for.
     */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "host", "content-length", "expect");

    /**
     * What a client may claim about itself or the request's route that an instance might
     * believe: the balancer writes X-Forwarded-* itself and lets none of these through.
     */
    static final Set<String> CLIENT_CLAIMS = Set.of("forwarded", "x-real-ip", "x-original-url", "x-rewrite-url");

    private HeaderRules() {
    }

    /** Headers as they should leave the balancer, in either direction; a new map of its own. */
    public static Map<String, List<String>> endToEnd(Map<String, List<String>> headers) {
        Set<String> named = Set.of();
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if ("connection".equalsIgnoreCase(header.getKey())) {
                named = connectionTokens(header.getValue());
            }
        }
        Map<String, List<String>> kept = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String lower = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !named.contains(lower)) {
                kept.put(header.getKey(), header.getValue());
            }
        }
        return kept;
    }

    /** The headers a Connection header names: hop-by-hop too (RFC 9110 §7.6.1). */
    private static Set<String> connectionTokens(List<String> values) {
        return values.stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(token -> token.strip().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }

    /** End-to-end request headers plus X-Forwarded-For (appended), -Host and -Proto. */
    public static Map<String, List<String>> forwarded(Map<String, List<String>> incoming, String clientAddress,
                                                      String host, String scheme) {
        Map<String, List<String>> headers = endToEnd(incoming);
        StringJoiner priorFor = new StringJoiner(", ");
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if ("x-forwarded-for".equalsIgnoreCase(header.getKey())) {
                header.getValue().forEach(priorFor::add);
            }
        }
        headers.keySet().removeIf(name -> {
            String lower = name.toLowerCase(Locale.ROOT);
            return lower.startsWith("x-forwarded-") || CLIENT_CLAIMS.contains(lower);
        });
        String prior = priorFor.toString();
        headers.put("X-Forwarded-For", List.of(prior.isEmpty() ? clientAddress : prior + ", " + clientAddress));
        if (host != null) {
            headers.put("X-Forwarded-Host", List.of(host));
        }
        headers.put("X-Forwarded-Proto", List.of(scheme));
        return headers;
    }
}
