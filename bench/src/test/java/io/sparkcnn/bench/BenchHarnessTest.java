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
        bench("spark", "--name", "spark local[2]", "--epochs", "2", "--target", "0.3,0.99", "-o", results.resolve("1-spark.json").toString());
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
        assertEquals(0.3, spark.get("target_accuracy").asDouble());
        assertTrue(spark.at("/seconds_to_targets/0.99").isNull(), "not reached: " + spark.get("seconds_to_targets"));
        assertEquals(spark.get("seconds_to_target"), spark.at("/seconds_to_targets/0.30"), "the first target is the column");
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
        assertTrue(table.contains("Training seconds to test accuracy:") && table.contains("0.99:      -"), table);
        assertTrue(Files.size(dir.resolve("curves.png")) > 1000 && table.contains("curves.png"), table);
        if (python) {
            JsonNode t = JSON.readTree(torch.toFile());
            assertTrue(t.has("skipped") || t.get("epochs").size() == 2, t.toString());
            assertTrue(table.contains("pytorch"), table);
        }
    }

    /** A small RGB image folder: {@code perClass} 32x32 images of each of three colours (the class). */
    private static Path colourFolder(Path root, int perClass, long seed) throws java.io.IOException {
        java.util.Random random = new java.util.Random(seed);
        String[] classes = {"blue", "green", "red"};
        for (int c = 0; c < classes.length; c++) {
            Path folder = Files.createDirectories(root.resolve(classes[c]));
            for (int i = 0; i < perClass; i++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int noise = random.nextInt(60);
                        int[] rgb = {noise, noise, noise};
                        rgb[2 - c] += 150 + random.nextInt(40); // blue, green, red
                        img.setRGB(x, y, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
                    }
                }
                javax.imageio.ImageIO.write(img, "png", folder.resolve("img " + i + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void theCifarRecipeCarriesTheJobsSplitLayersAndTrainingToPyTorch() throws Exception {
        Path train = colourFolder(dir.resolve("colour-train"), 20, 1);
        Path test = colourFolder(dir.resolve("colour-test"), 5, 2);
        Path recipe = dir.resolve("recipe.json");
        run(List.of("recipe", "--config", Path.of("..", "conf", "cifar10.conf").toString(),
                "--set", "data.path=" + train.toUri(), "--set", "data.test-path=" + test.toUri(),
                "--set", "training.max-epochs=4", "--set", "model.lr-schedule.warmup-epochs=2", "-o", recipe.toString()));
        JsonNode r = JSON.readTree(recipe.toFile());
        assertEquals("vgg-cifar", r.get("preset").asText());
        assertEquals(List.of("blue", "green", "red"), JSON.convertValue(r.get("class_names"), List.class));
        assertEquals(60, r.get("train").size() + r.get("validation").size(), "data.path is train + validation");
        assertEquals(6, r.get("validation").size(), "validation-fraction 0.1, per class");
        assertEquals(15, r.get("test").size(), "the test folder");
        assertTrue(r.at("/test/0/0").asText().startsWith(test.toString()), r.at("/test/0").toString());
        assertEquals("conv2d", r.at("/layers/0/type").asText());
        assertEquals("same", r.at("/layers/0/padding").asText());
        assertEquals("output", r.at("/layers/" + (r.get("layers").size() - 1) + "/type").asText());
        assertEquals(4, r.at("/augment/crop_padding").asInt());
        assertTrue(r.at("/augment/horizontal_flip").asBoolean());
        assertEquals("cosine", r.at("/lr_schedule/type").asText());
        assertEquals(4, r.get("max_epochs").asInt(), "the schedule spans max-epochs, not the bench's epochs");
        assertEquals(0.1, r.get("label_smoothing").asDouble());
        assertTrue(r.get("weight_decay").asDouble() > 0);

        if (Files.isExecutable(Path.of("/usr/bin/python3"))) { // the reference trains from it (or says torch is missing)
            Path out = dir.resolve("torch-cifar.json");
            Process p = new ProcessBuilder("/usr/bin/python3", Path.of("..", "scripts", "bench", "pytorch_cifar.py").toString(),
                    "--recipe", recipe.toString(), "--epochs", "2", "--threads", "1", "--targets", "0.3,0.99",
                    "--output", out.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(300, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), log);
            JsonNode t = JSON.readTree(out.toFile());
            if (!t.has("skipped")) {
                assertEquals(2, t.get("epochs").size(), t.toString());
                assertEquals(54, t.get("train_images").asInt());
                assertTrue(t.at("/seconds_to_targets/0.99").isNull());
                double first = t.at("/epochs/0/learning_rate").asDouble();
                double second = t.at("/epochs/1/learning_rate").asDouble();
                assertTrue(second > first, "the cosine schedule warms up: " + first + " then " + second);
            }
        }
    }
}
