package dev.ruta.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the project's files are, from any module's working directory. */
public final class ProjectPaths {

    private ProjectPaths() {
    }

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("provisioning"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Not inside the Ruta project: no provisioning/ folder above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** A fresh folder under this module's target/tmp, removed by mvn clean and by the fixtures that make one. */
    public static Path scratch(String prefix) {
        try {
            Path base = Path.of("target", "tmp").toAbsolutePath();
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
