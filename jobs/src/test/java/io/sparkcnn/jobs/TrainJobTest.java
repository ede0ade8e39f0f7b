package io.sparkcnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The train entry point as spark-submit runs it: the master arrives as the spark.master system
 * property (spark-submit sets it so), never from code. Exit codes and "nothing written" on bad input.
 */
class TrainJobTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void sparkSubmitStyleMaster() throws IOException {
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.driver.host", "127.0.0.1");
        // two classes of shapes: a bright square or a bright horizontal bar on dark noise
        Random random = new Random(3);
        for (String cls : new String[] {"bar", "square"}) {
            Path folder = Files.createDirectories(dir.resolve("shapes/" + cls));
            for (int i = 0; i < 30; i++) {
                BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                for (int p = 0; p < 40; p++) {
                    g.setColor(new Color(random.nextInt(60), random.nextInt(60), random.nextInt(60)));
                    g.fillRect(random.nextInt(24), random.nextInt(24), 2, 2);
                }
                g.setColor(Color.WHITE);
                int x = random.nextInt(8);
                int y = random.nextInt(8);
                if (cls.equals("bar")) {
                    g.fillRect(x, y + 6, 16, 3);
                } else {
                    g.fillRect(x + 2, y + 2, 10, 10);
                }
                g.dispose();
                ImageIO.write(img, i % 3 == 0 ? "jpg" : "png", folder.resolve(i + (i % 3 == 0 ? ".jpg" : ".png")).toFile());
            }
        }
        Files.write(dir.resolve("shapes/bar/corrupt.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
        Files.createDirectories(dir.resolve("empty-class/a"));
        Files.createDirectories(dir.resolve("empty-class/b"));
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png", dir.resolve("empty-class/a/1.png").toFile());
    }

    @AfterAll
    static void clear() {
        System.clearProperty("spark.master");
        System.clearProperty("spark.ui.enabled");
        System.clearProperty("spark.driver.host");
    }

    record Run(int exitCode, String err, TrainJob job) {
    }

    static Run run(String... args) {
        TrainJob job = new TrainJob();
        CommandLine cl = TrainJob.commandLine(job);
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int code = cl.execute(args);
        return new Run(code, err.toString(), job);
    }

    @Test
    void trainsAnImageFolderEndToEndThroughTheEntryPoint() throws Exception {
        Path out = dir.resolve("runs/shapes");
        Run r = run("--set", "data.format=image-folder", "--set", "data.path=" + dir.resolve("shapes").toUri(),
                "--set", "data.height=16", "--set", "data.width=16", "--set", "data.channels=rgb",
                "--set", "data.validation-fraction=0.2", "--set", "data.test-fraction=0.2",
                "--set", "training.batch-size-per-worker=8", "--set", "training.max-epochs=3",
                "--set", "model.learning-rate=0.005", "--output", out.toUri().toString());
        assertEquals(0, r.exitCode(), r.err());
        for (String f : new String[] {"model.zip", "metrics.json", "manifest.json", "summary.txt"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertEquals(1, manifest.at("/dataset/skipped_count").asInt());
        assertTrue(manifest.at("/dataset/skipped/0/path").asText().endsWith("bar/corrupt.jpg"));
        assertEquals("bar", manifest.at("/dataset/class_names/0").asText());
        assertEquals("local[2]", manifest.at("/spark/master").asText());
        assertEquals(3, manifest.at("/dataset/input_shape/channels").asInt());
        assertEquals(60, manifest.at("/dataset/counts/train/total").asInt()
                + manifest.at("/dataset/counts/validation/total").asInt()
                + manifest.at("/dataset/counts/test/total").asInt());
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(r.job().result().testAccuracy(), metrics.at("/test/accuracy").asDouble(), 1e-12);

        Run again = run("--set", "data.format=image-folder", "--set", "data.path=" + dir.resolve("shapes").toUri(),
                "--output", out.toUri().toString());
        assertEquals(TrainJob.EXIT_BAD_INPUT, again.exitCode());
        assertTrue(again.err().contains("already exists"), again.err());
    }

    @Test
    void unknownKeyExitsWithTwoNamingTheKeyAndWritesNothing() {
        Path out = dir.resolve("runs/unknown-key");
        Run r = run("--set", "training.early-stopping.patiance=3", "--output", out.toUri().toString());
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exitCode());
        assertTrue(r.err().contains("training.early-stopping.patiance"), r.err());
        assertTrue(r.err().contains("training.early-stopping.patience"), "lists the known keys: " + r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void invalidValueExitsWithTwoNamingTheAllowedValues() {
        Run r = run("--set", "model.optimizer=adamw");
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exitCode());
        assertTrue(r.err().contains("model.optimizer") && r.err().contains("allowed values: sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam"), r.err());
    }

    @Test
    void missingConfigFileExitsWithTwo() {
        Run r = run("--config", dir.resolve("nope.conf").toString());
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exitCode());
        assertTrue(r.err().contains("nope.conf"), r.err());
    }

    @Test
    void emptyClassFolderExitsWithTwoAndWritesNothing() {
        Path out = dir.resolve("runs/empty-class");
        Run r = run("--set", "data.format=image-folder", "--set", "data.path=" + dir.resolve("empty-class").toUri(),
                "--output", out.toUri().toString());
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exitCode(), r.err());
        assertTrue(r.err().contains("empty-class/b"), r.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(out.getParent()) && hasTemp(out.getParent()));
    }

    @Test
    void idxHeaderThatDoesNotMatchItsLengthExitsWithTwo() throws IOException {
        Path images = dir.resolve("bad-images-idx3-ubyte");
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(images))) {
            o.writeInt(0x0803);
            o.writeInt(100); // claims 100 images of 28x28 ...
            o.writeInt(28);
            o.writeInt(28);
            o.write(new byte[50 * 784]); // ... holds 50
        }
        Path labels = dir.resolve("bad-labels-idx1-ubyte");
        try (OutputStream o = new DataOutputStream(Files.newOutputStream(labels))) {
            new DataOutputStream(o).writeInt(0x0801);
            new DataOutputStream(o).writeInt(100);
            o.write(new byte[100]);
        }
        Path out = dir.resolve("runs/bad-idx");
        Run r = run("--set", "data.idx-train-images=" + images.toUri(), "--set", "data.idx-train-labels=" + labels.toUri(),
                "--output", out.toUri().toString());
        assertEquals(TrainJob.EXIT_BAD_INPUT, r.exitCode(), r.err());
        assertTrue(r.err().contains("bad-images-idx3-ubyte") && r.err().contains("78400") && r.err().contains("39200"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void helpListsEveryConfigKey() {
        StringWriter out = new StringWriter();
        CommandLine cl = TrainJob.commandLine(new TrainJob());
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--help"));
        String help = out.toString();
        for (String key : new String[] {"data.format", "data.validation-fraction", "model.preset", "model.optimizer",
                "training.averaging-frequency", "training.early-stopping.min-delta", "output.path"}) {
            assertTrue(help.contains(key), key);
        }
        assertTrue(help.contains("val_loss"), "shows documentation with the defaults");
    }

    private static boolean hasTemp(Path folder) {
        try (var files = Files.list(folder)) {
            return files.anyMatch(p -> p.getFileName().toString().contains("_unfinished"));
        } catch (IOException e) {
            return false;
        }
    }
}
