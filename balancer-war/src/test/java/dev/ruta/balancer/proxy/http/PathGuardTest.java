package dev.ruta.balancer.proxy.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ruta.balancer.error.InvalidPathException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathGuardTest {

    /**
     * Every spelling of a dot segment: a path is refused exactly when resolving its dot segments
     * (RFC 3986 §5.2.4), after percent-decoding and dropping ;parameters as Payara does, would
     * change it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/api/operations/%2e%2e/%2e%2e/health/ready", "/api/operations/%2E%2E/x",
        "/api/operations/%2e./x", "/api/operations/.%2e/x", "/api/operations/%2e/x", "/api/operations/%2E",
        "/api/operations/x/..", "/api/operations/x/.", "/api/operations/%2e%2e;a=b/x", "/api/operations/.;x/y",
        "/api/operations/%2e;/y", "/api/operations/x/%2e%2e", "/api/operations/a/b/../../../c",
        "/api/operations/v1.2/x", "/api/operations/...", "/api/operations/%2e%2e%2e/x", "/api/operations/a.b/c",
        "/api/operations/..x", "/api/operations/x..", "/api/operations/%2ex", "/api/operations/x;..", "/api/operations/add"})
    void refusesExactlyThePathsThatDotSegmentResolutionWouldChange(String path) {
        boolean changes = !removeDotSegments(decodedWithoutParameters(path)).equals(decodedWithoutParameters(path));
        if (changes) {
            assertThrows(InvalidPathException.class, () -> PathGuard.check("operations", path), path);
        } else {
            assertDoesNotThrow(() -> PathGuard.check("operations", path), path);
        }
        org.junit.jupiter.api.Assertions.assertEquals(changes, PathGuard.hasDotSegment(path), path);
    }

    private static String decodedWithoutParameters(String path) {
        StringBuilder decoded = new StringBuilder();
        for (String segment : path.split("/", -1)) {
            int semicolon = segment.indexOf(';');
            String name = semicolon < 0 ? segment : segment.substring(0, semicolon);
            decoded.append(java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8)).append('/');
        }
        return decoded.substring(0, decoded.length() - 1);
    }

    /** RFC 3986 §5.2.4, as written. */
    private static String removeDotSegments(String path) {
        String input = path;
        StringBuilder output = new StringBuilder();
        while (!input.isEmpty()) {
            if (input.startsWith("../")) {
                input = input.substring(3);
            } else if (input.startsWith("./")) {
                input = input.substring(2);
            } else if (input.startsWith("/./")) {
                input = input.substring(2);
            } else if (input.equals("/.")) {
                input = "/";
            } else if (input.startsWith("/../")) {
                input = input.substring(3);
                output.setLength(Math.max(0, output.lastIndexOf("/")));
            } else if (input.equals("/..")) {
                input = "/";
                output.setLength(Math.max(0, output.lastIndexOf("/")));
            } else if (input.equals(".") || input.equals("..")) {
                input = "";
            } else {
                int next = input.indexOf('/', input.startsWith("/") ? 1 : 0);
                String segment = next < 0 ? input : input.substring(0, next);
                output.append(segment);
                input = next < 0 ? "" : input.substring(next);
            }
        }
        return output.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/operations", "/api/operations/add", "/api/operations/a%20b", "/api/operations/v1.2/x"})
    void letsOrdinaryPathsThrough(String path) {
        assertDoesNotThrow(() -> PathGuard.check("operations", path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/operations/../admin", "/api/operations/%2e%2e/admin", "/api/operations/.%2E/x",
        "/api/operations/..%2Fadmin", "/api/operations/a%2fb", "/api/operations/a%5Cb", "/api/operations/./x",
        "/api/operations/%zz", "/api/operations/x/..;/..;/instance", "/api/operations/x/.;v=1/y",
        "/api/operations/x/%2e%2e;x/y", "/api/operations/x/..%3Bx/y"})
    void refusesPathsThatCouldLeaveTheService(String path) {
        assertThrows(InvalidPathException.class, () -> PathGuard.check("operations", path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/operations/a|b", "/api/operations/a b", "/api/operations/a\"b", "/api/operations/{x}"})
    void refusesPathsNoClientCouldSendOn(String path) {
        assertThrows(InvalidPathException.class, () -> PathGuard.check("operations", path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/operations/x;v=1/add", "/api/operations/..x", "/api/operations/x..;y"})
    void letsParametersAndDotsInNamesThrough(String path) {
        assertDoesNotThrow(() -> PathGuard.check("operations", path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%zz", "a=%", "a=1%2", "a=1 2"})
    void refusesQueriesNoClientCouldSend(String query) {
        assertThrows(InvalidPathException.class, () -> PathGuard.check("operations", "/api/operations/add", query));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=1&b=2", "a=%2B1&b=%20", "x", "a=caf%C3%A9"})
    void letsOrdinaryQueriesThrough(String query) {
        assertDoesNotThrow(() -> PathGuard.check("operations", "/api/operations/add", query));
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "-x", "a/b", "a b", ""})
    void refusesOddServiceNames(String service) {
        assertThrows(InvalidPathException.class, () -> PathGuard.check(service, "/api/x"));
    }
}
