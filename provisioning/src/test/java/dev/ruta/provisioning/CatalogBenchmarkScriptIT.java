package dev.ruta.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ruta.testing.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The catalog benchmark, run as a user would, on a small catalog: it measures and leaves nothing behind. */
class CatalogBenchmarkScriptIT {

    private final Path scratch = ProjectPaths.scratch("catalog-benchmark-");

    @AfterEach
    void removeScratch() {
        ProjectPaths.deleteTree(scratch);
    }

    @Test
    void measuresASmallCatalogAndStopsWhatItStarted() throws IOException {
        Path output = scratch.resolve("output.txt");
        ProcessBuilder benchmark = new ProcessBuilder(ProjectPaths.root().resolve("provisioning/catalog-benchmark.sh").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        benchmark.environment().putAll(java.util.Map.of("SERVICES", "20", "ROUNDS", "1", "CHECKS", "all",
                "RUN_DIR", scratch.toString()));
        int status = Commands.exitStatus(benchmark, Duration.ofMinutes(5));
        String printed = Files.readString(output);

        assertEquals(0, status, printed);
        assertTrue(printed.contains("start -> every service routed"), printed);
        Matcher connections = Pattern.compile("connections to the agent\\s+(\\d+)").matcher(printed);
        assertTrue(connections.find(), printed);
        assertTrue(Integer.parseInt(connections.group(1)) <= 3, printed);
        assertTrue(Pattern.compile("an instance leaves\\s+\\d+ ms").matcher(printed).find(), printed);
        Matcher reads = Pattern.compile("catalog reads\\s+\\d+ of a node's registrations, (\\d+) of one service's").matcher(printed);
        assertTrue(reads.find() && Integer.parseInt(reads.group(1)) > 0, "every instance has a check: its service is read alone\n" + printed);
        assertFalse(Files.exists(scratch.resolve("catalog-benchmark")), "its folder, and the PIDs in it, are gone");
        for (String line : printed.lines().filter(line -> line.contains("stopping")).toList()) {
            long pid = Long.parseLong(line.replaceAll(".*\\(pid (\\d+)\\).*", "$1"));
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), line);
        }
    }
}
