package dev.ruta.balancer.proxy.http;

import dev.ruta.balancer.discovery.ServiceName;
import dev.ruta.balancer.error.InvalidPathException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Keeps a forwarded path inside {@code /api/<service>/}: no dot segments, raw or encoded, and
 * no encoded slash or backslash, which an instance might decode into a path of its own choosing.
 */
public final class PathGuard {

    private PathGuard() {
    }

    /** Also refuses a query an HTTP client cannot send: that is the client's mistake, not an instance's. */
    public static void check(String service, String rawPath, String rawQuery) {
        check(service, rawPath);
        if (rawQuery != null && !isPlain(rawQuery, true)) {
            try {
                new URI("http", null, "localhost", 80, null, null, null).resolve(rawPath + "?" + rawQuery);
                URLDecoder.decode(rawQuery.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException | URISyntaxException e) {
                throw new InvalidPathException("The query string is malformed (e.g. a % not followed by two hex digits).");
            }
        }
    }

    public static void check(String service, String rawPath) {
        if (!ServiceName.isValid(service)) {
            throw new InvalidPathException("'" + service + "' is not a service name.");
        }
        if (isPlain(rawPath, false)) {
            return;
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || rawPath.contains("\\")) {
            throw new InvalidPathException("Encoded slashes are not allowed in forwarded paths.");
        }
        try {
            new URI("http://localhost" + rawPath);
        } catch (URISyntaxException e) {
            // e.g. a raw '|' or space: no HTTP client can send it on, and no instance is to blame.
            throw new InvalidPathException("The path has a character that must be percent-encoded.");
        }
        if (hasDotSegment(rawPath)) {
            throw new InvalidPathException("Dot segments are not allowed in forwarded paths.");
        }
    }

    /**
     * Whether a raw request path has a segment that is, or decodes to, {@code .} or {@code ..}
     * (any case, any mix of encoded and plain dots, with or without {@code ;parameters}): a path
     * the server would resolve into another one before choosing what answers it.
     *
     * @throws InvalidPathException when a percent-encoding is malformed
     */
    public static boolean hasDotSegment(String rawPath) {
        if (rawPath.indexOf('.') < 0 && rawPath.indexOf('%') < 0) {
            return false;
        }
        for (String segment : rawPath.split("/", -1)) {
            // Payara and Tomcat drop ";parameters" from a segment before resolving dots: "..;x" is "..".
            String name = withoutParameters(decode(withoutParameters(segment)));
            if (name.equals("..") || name.equals(".")) {
                return true;
            }
        }
        return false;
    }

    private static String withoutParameters(String segment) {
        int semicolon = segment.indexOf(';');
        return semicolon < 0 ? segment : segment.substring(0, semicolon);
    }

    /**
     * Nothing to decode and nothing an HTTP client could refuse: only letters, digits and the
     * characters RFC 3986 allows unencoded in a path or query. Most requests are like that, and
     * need no parsing. A path with a dot is not plain: dots may form a dot segment.
     */
    private static boolean isPlain(String raw, boolean query) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_~!$&'()*+,;=:@/".indexOf(c) >= 0 || (query && (c == '.' || c == '?'));
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidPathException("The path has a malformed percent-encoding.");
        }
    }
}
