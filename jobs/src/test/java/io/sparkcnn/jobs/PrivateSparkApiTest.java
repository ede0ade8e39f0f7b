package io.sparkcnn.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No main source uses Spark's private[spark] API: Scala's package privacy is not in the bytecode, so javac lets
 * Java call it, and a Spark release may change it without notice. The public way: {@code sc.hadoopConfiguration()}
 * with a context, HadoopConf without one.
 */
class PrivateSparkApiTest {
    /** The class by name, or a call on it after a wildcard import. */
    static final List<Pattern> FORBIDDEN = List.of(
            Pattern.compile(Pattern.quote("org.apache.spark.deploy.SparkHadoopUtil")),
            Pattern.compile("\\bSparkHadoopUtil\\s*\\."));

    @Test
    void mainSourcesUseNoPrivateSparkClass() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !(Files.isRegularFile(root.resolve("pom.xml")) && Files.isDirectory(root.resolve("docs")))) {
            root = root.getParent();
        }
        assertNotNull(root, "no folder with pom.xml and docs/ above " + Path.of("").toAbsolutePath());
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path main : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(main)) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
                }
            }
        }
        assertTrue(sources.stream().anyMatch(f -> f.endsWith("TrainJob.java")), "no main sources found under " + root);
        List<String> problems = new ArrayList<>();
        for (Path file : sources) {
            String text = Files.readString(file);
            for (Pattern p : FORBIDDEN) {
                if (p.matcher(text).find()) {
                    problems.add(root.relativize(file) + " matches " + p);
                }
            }
        }
        assertTrue(problems.isEmpty(), "private[spark] API in main sources:\n  " + String.join("\n  ", problems));
    }
}
