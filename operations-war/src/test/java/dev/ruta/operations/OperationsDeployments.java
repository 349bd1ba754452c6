package dev.ruta.operations;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.api.Filters;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.ByteArrayAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** Small deployments of the operations service's packages, with per-test configuration. */
public final class OperationsDeployments {

    private OperationsDeployments() {
    }

    /**
     * A WAR of the given feature packages (below dev.ruta.operations), with the real default
     * configuration, the real context root, and {@code overrides} taking precedence over both.
     */
    public static WebArchive war(String name, Map<String, String> overrides, String... features) {
        WebArchive war = ShrinkWrap.create(WebArchive.class, name + ".war")
                .addAsResource(new File("target/classes/META-INF/microprofile-config.properties"),
                        "META-INF/microprofile-config.properties")
                .addAsWebInfResource(new File("src/main/webapp/WEB-INF/glassfish-web.xml"), "glassfish-web.xml")
                .setWebXML(new File("src/main/webapp/WEB-INF/web.xml"))
                .addAsLibrary(overrides(overrides));
        for (String feature : features) {
            war.addPackages(true, Filters.exclude(".*(Test|IT)(\\$.*)?\\.class"), "dev.ruta.operations." + feature);
        }
        return war;
    }

    /** The third-party libraries the real WAR ships (the Consul client and its transport). */
    public static WebArchive withShippedLibraries(WebArchive war) {
        Path lib = Path.of("target/operations/WEB-INF/lib");
        try (Stream<Path> jars = Files.list(lib)) {
            jars.forEach(jar -> war.addAsLibrary(jar.toFile()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(lib + " is missing: integration tests run after mvn package", e);
        }
        return war;
    }

    /**
     * MicroProfile Config reads every META-INF/microprofile-config.properties; the higher ordinal
     * wins. Written by {@link Properties#store} because the files are read as ISO-8859-1.
     */
    private static JavaArchive overrides(Map<String, String> overrides) {
        Properties properties = new Properties();
        properties.setProperty("config_ordinal", "500");
        properties.putAll(overrides);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            properties.store(bytes, "test overrides");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ShrinkWrap.create(JavaArchive.class, "test-config.jar")
                .addAsManifestResource(new ByteArrayAsset(bytes.toByteArray()), "microprofile-config.properties");
    }
}
