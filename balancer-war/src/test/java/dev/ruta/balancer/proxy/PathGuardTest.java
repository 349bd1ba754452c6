package dev.ruta.balancer.proxy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ruta.balancer.proxy.error.InvalidPathException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathGuardTest {

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
