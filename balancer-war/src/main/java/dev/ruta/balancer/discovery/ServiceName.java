package dev.ruta.balancer.discovery;

import java.util.regex.Pattern;

/**
 * What may name a routed service: letters, digits, '.', '_' and '-', starting with a letter or
 * digit. The name travels in paths twice, the client's /api/&lt;service&gt;/ and Consul's query
 * for its instances, so nothing that could change either path's meaning is one.
 */
public final class ServiceName {

    /** Why a name that is not valid is not routed. */
    static final String PROBLEM = "not a name such as operations or web-2";

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private ServiceName() {
    }

    public static boolean isValid(String name) {
        return VALID.matcher(name).matches();
    }
}
