package dev.ruta.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ruta.testing.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every link between the project's Markdown files leads somewhere: the file exists, and the
 * heading an anchor names is in it (GitHub's anchors: lower case, punctuation dropped, spaces
 * as hyphens). Links to the web are not followed: the machines that run this have no internet.
 */
class DocumentationLinksIT {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern FENCE = Pattern.compile("(?s)```.*?```");

    @Test
    void everyLinkBetweenTheProjectsDocumentsLeadsSomewhere() throws IOException {
        Path root = ProjectPaths.root();
        List<String> broken = new ArrayList<>();
        try (Stream<Path> files = Stream.concat(Stream.of(root.resolve("README.md"), root.resolve("CONTRIBUTING.md"),
                root.resolve("payara-config/README.md")), Files.isDirectory(root.resolve("docs"))
                ? Files.list(root.resolve("docs")) : Stream.empty())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Matcher link = LINK.matcher(FENCE.matcher(Files.readString(file)).replaceAll(""));
                while (link.find()) {
                    String target = link.group(1);
                    if (!target.matches("^[a-z]+:.*") && !leadsSomewhere(file, target)) {
                        broken.add(root.relativize(file) + " → " + target);
                    }
                }
            }
        }
        assertEquals(List.of(), broken, "links that lead nowhere");
    }

    private static boolean leadsSomewhere(Path from, String target) throws IOException {
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        Path file = path.isEmpty() ? from : from.getParent().resolve(path).normalize();
        if (!Files.exists(file)) {
            return false;
        }
        return hash < 0 || anchors(file).contains(target.substring(hash + 1));
    }

    private static Set<String> anchors(Path markdown) throws IOException {
        Set<String> anchors = new HashSet<>();
        String text = FENCE.matcher(Files.readString(markdown)).replaceAll("");
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                String heading = line.replaceFirst("^#+\\s*", "").strip();
                anchors.add(heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}
