package io.sparkcnn.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded application jar this build just packaged (Failsafe runs after the package phase): every entry point,
 * and nothing of the benchmark, which is its own module (bench/) and must not ship to a cluster.
 */
class ShadedJarIT {
    static final List<String> BENCHMARK_PACKAGES = List.of("io/sparkcnn/bench/", "io/sparkcnn/jobs/bench/");

    static Path shadedJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> jars = files.filter(f -> f.getFileName().toString().matches("sparkcnn-jobs-.*-shaded\\.jar")).toList();
            assertEquals(1, jars.size(), "one shaded jar in target/: " + jars);
            return jars.get(0);
        }
    }

    @Test
    void theShadedJarCarriesTheJobsAndNoBenchmark() throws IOException {
        try (JarFile jar = new JarFile(shadedJar().toFile())) {
            List<String> names = jar.stream().map(JarEntry::getName).toList();
            List<String> benchmark = names.stream().filter(n -> BENCHMARK_PACKAGES.stream().anyMatch(n::startsWith)).toList();
            assertTrue(benchmark.isEmpty(), "benchmark classes in the shaded jar: " + benchmark);
            for (String job : List.of("Sparkcnn", "TrainJob", "EvaluateJob", "PredictJob", "RetrainJob", "RegistryJob")) {
                assertTrue(names.contains("io/sparkcnn/jobs/" + job + ".class"), job + " missing from " + jar.getName());
            }
            assertTrue(names.contains("io/sparkcnn/driver/TrainRunner.class") && names.contains("io/sparkcnn/jobs/version.properties"));
            // spark-submit without --class trains, as it always did
            assertEquals("io.sparkcnn.jobs.TrainJob", jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS));
        }
    }
}
