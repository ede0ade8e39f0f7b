package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark harness itself on a tiny input (256 Fashion-MNIST training images, 2 epochs): every mode
 * writes its figures, the PyTorch script runs (or says why not), and the summary joins them into a table
 * and bench.json with the ratios. No speed is asserted: figures belong to scripts/bench.sh.
 */
class BenchHarnessTest {
    @TempDir
    static Path dir;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void sparkSubmitStyleMaster() {
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.driver.host", "127.0.0.1");
    }

    @AfterAll
    static void clear() {
        System.clearProperty("spark.master");
        System.clearProperty("spark.ui.enabled");
        System.clearProperty("spark.driver.host");
    }

    /** Fashion-MNIST's IDX files: Debian's dataset-fashion-mnist, or FASHION_MNIST_DIR. */
    static Path fashionMnist() {
        String env = System.getenv("FASHION_MNIST_DIR");
        Path dir = Path.of(env != null ? env : "/usr/share/datasets/fashion-mnist");
        if (!Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz"))) {
            throw new IllegalStateException("Fashion-MNIST not found in " + dir
                    + ": apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR");
        }
        return dir;
    }

    private static List<String> job() {
        Path data = fashionMnist();
        return List.of("--config", Path.of("..", "conf", "demo.conf").toString(),
                "--set", "data.idx-train-images=" + data.resolve("train-images-idx3-ubyte.gz").toUri(),
                "--set", "data.idx-train-labels=" + data.resolve("train-labels-idx1-ubyte.gz").toUri(),
                "--set", "data.idx-test-images=" + data.resolve("t10k-images-idx3-ubyte.gz").toUri(),
                "--set", "data.idx-test-labels=" + data.resolve("t10k-labels-idx1-ubyte.gz").toUri(),
                "--set", "data.max-train-images=256");
    }

    private static String bench(String mode, String... extra) {
        List<String> args = new ArrayList<>(List.of(mode));
        args.addAll(job());
        args.addAll(List.of(extra));
        return run(args);
    }

    private static String run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = BenchJob.commandLine(new BenchJob());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        return out.toString();
    }

    @Test
    void everyModeWritesItsFiguresAndTheSummaryJoinsThemWithRatios() throws Exception {
        Path results = Files.createDirectories(dir.resolve("results"));
        bench("data-path", "--images", "500", "--folder-images", "60", "-o", results.resolve("0-data-path.json").toString());
        bench("spark", "--name", "spark local[2]", "--epochs", "2", "--target", "0.3", "-o", results.resolve("1-spark.json").toString());
        bench("single-jvm", "--name", "single JVM", "--epochs", "2", "--target", "0.3", "-o", results.resolve("3-jvm.json").toString());
        Path torch = results.resolve("4-pytorch.json");
        boolean python = Files.isExecutable(Path.of("/usr/bin/python3"));
        if (python) {
            Process p = new ProcessBuilder("/usr/bin/python3", Path.of("..", "scripts", "bench", "pytorch_lenet.py").toString(),
                    "--data", fashionMnist().toString(), "--epochs", "2", "--max-train-images", "256",
                    "--target", "0.3", "--output", torch.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), log);
        }

        JsonNode spark = JSON.readTree(results.resolve("1-spark.json").toFile());
        JsonNode jvm = JSON.readTree(results.resolve("3-jvm.json").toFile());
        for (JsonNode r : List.of(spark, jvm)) {
            assertEquals(2, r.get("epochs").size(), r.toString());
            for (JsonNode e : r.get("epochs")) {
                assertTrue(e.get("images_per_second").asDouble() > 0 && e.get("train_seconds").asDouble() > 0, e.toString());
                assertTrue(e.get("test_accuracy").asDouble() >= 0 && e.get("test_accuracy").asDouble() <= 1, e.toString());
            }
            assertEquals(r.at("/epochs/1/images_per_second").asDouble(), r.get("images_per_second_median").asDouble(), 1e-9,
                    "the median leaves out the warm-up epoch");
            assertTrue(r.at("/peak_memory_mb/driver").asLong() > 100, "a JVM with ND4J: " + r.get("peak_memory_mb"));
            assertEquals("adam", r.get("optimizer").asText());
            assertEquals(64, r.get("batch_size").asInt());
            // a stratified subsample rounds per class: 10 classes x 26 for "256"
            assertTrue(Math.abs(r.get("train_images").asInt() - 256) <= 10, r.get("train_images").toString());
            assertTrue(r.get("backend").asText().startsWith("ND4J backend: "), r.get("backend").asText());
        }
        assertEquals(2, spark.get("workers").asInt());
        assertEquals(spark.get("train_images").asInt(), jvm.get("train_images").asInt(), "the same training split");
        assertEquals("local[2]", spark.get("master").asText());
        JsonNode dataPath = JSON.readTree(results.resolve("0-data-path.json").toFile());
        assertEquals(spark.get("train_images").asInt(), dataPath.get("idx_images").asInt(), "--images is capped by the split");
        assertEquals(60, dataPath.get("image_folder_images").asInt());
        assertTrue(dataPath.get("idx_images_per_second").asDouble() > 0 && dataPath.get("image_folder_images_per_second").asDouble() > 0);

        String profile = bench("profile", "--batches", "4", "--threads", "1");
        assertTrue(profile.contains("fit (forward + backward + adam update)") && profile.contains("ConvolutionLayer"), profile);
        assertTrue(profile.matches("(?s).*\\n  \\w+ +\\d+\\.\\d% +\\d+ ms\\n.*"), "ND4J's op shares: " + profile);

        String table = run(List.of("summarize", "--results", results.toString(), "-o", dir.resolve("bench.json").toString()));
        JsonNode bench = JSON.readTree(dir.resolve("bench.json").toFile());
        assertEquals(Runtime.getRuntime().availableProcessors(), bench.at("/machine/cores").asInt());
        assertEquals(python ? 4 : 3, bench.get("results").size());
        JsonNode ratio = bench.at("/ratios/0");
        assertEquals("spark local[2]", ratio.get("name").asText());
        assertEquals(spark.get("images_per_second_median").asDouble() / jvm.get("images_per_second_median").asDouble(),
                ratio.get("images_per_second_vs_single_jvm").asDouble(), 1e-9);
        assertTrue(table.contains("spark local[2]") && table.contains("single JVM") && table.contains("Data path, one core"), table);
        if (python) {
            JsonNode t = JSON.readTree(torch.toFile());
            assertTrue(t.has("skipped") || t.get("epochs").size() == 2, t.toString());
            assertTrue(table.contains("pytorch"), table);
        }
    }
}
