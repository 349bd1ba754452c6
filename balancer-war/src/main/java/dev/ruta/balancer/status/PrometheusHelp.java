package dev.ruta.balancer.status;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Completes Prometheus text where a family has a {@code # TYPE} and no {@code # HELP}: Payara's
 * exporter writes a histogram's {@code _mean} and {@code _max} gauges that way. The help of the
 * family they derive from, with what they are, goes in front of their {@code # TYPE}.
 */
final class PrometheusHelp {

    private static final List<String> DERIVED = List.of("_mean", "_max", "_min", "_stddev");
    private static final String HELP = "# HELP ";
    private static final String TYPE = "# TYPE ";

    private PrometheusHelp() {
    }

    static String complete(String exposition) {
        String[] lines = exposition.split("\n", -1);
        Map<String, String> helps = new HashMap<>();
        for (String line : lines) {
            if (line.startsWith(HELP)) {
                int end = line.indexOf(' ', HELP.length());
                if (end > 0) {
                    helps.put(line.substring(HELP.length(), end), line.substring(end + 1));
                }
            }
        }
        StringBuilder completed = new StringBuilder(exposition.length() + 256);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith(TYPE)) {
                String[] parts = line.split(" ");
                String family = parts.length > 2 ? parts[2] : "";
                if (!family.isEmpty() && !helps.containsKey(family)) {
                    String help = derivedHelp(family, helps);
                    if (help != null) {
                        completed.append(HELP).append(family).append(' ').append(help).append('\n');
                        helps.put(family, help);
                    }
                }
            }
            completed.append(line);
            if (i < lines.length - 1) {
                completed.append('\n');
            }
        }
        return completed.toString();
    }

    private static String derivedHelp(String family, Map<String, String> helps) {
        for (String suffix : DERIVED) {
            if (family.endsWith(suffix)) {
                String base = helps.get(family.substring(0, family.length() - suffix.length()));
                if (base != null) {
                    return base + " (its " + suffix.substring(1) + ")";
                }
            }
        }
        return family.startsWith("ruta_") ? family.substring("ruta_".length()).replace('_', ' ') : null;
    }
}
