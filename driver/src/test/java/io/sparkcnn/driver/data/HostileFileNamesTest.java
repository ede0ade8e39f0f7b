package io.sparkcnn.driver.data;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.TrainJobResult;
import io.sparkcnn.driver.TrainRunner;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.inference.PredictConfig;
import io.sparkcnn.driver.inference.PredictResult;
import io.sparkcnn.driver.inference.PredictRunner;
import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.SampleRef;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Camera and scraper file names (colons from timestamps, percent signs, '#', '?', spaces, unicode, even a
 * line break) in class folders and file names list, decode to their class, train and predict like any other.
 */
class HostileFileNamesTest {
    static final String[] CLASSES = {"dark 12:30 #1", "light ?%20 \u00fc\nx"};
    static final String[] NAMES = {"2026-11-27T12:30:00.png", "100%.png", "a%20b.png", "tag#1.png", "what?.png",
            "with space.png", "\u00fcn\u00efc\u00f6d\u00e9 \u732b.png", "new\nline.png"};

    @TempDir
    static Path dir;
    static Path images;

    @BeforeAll
    static void writeImages() throws Exception {
        images = Files.createDirectories(dir.resolve("images"));
        Random random = new Random(5);
        for (int c = 0; c < CLASSES.length; c++) {
            Path folder = Files.createDirectories(images.resolve(CLASSES[c]));
            for (String name : NAMES) {
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        int v = (c == 0 ? 20 : 220) + random.nextInt(16);
                        img.getRaster().setSample(x, y, 0, v);
                    }
                }
                ImageIO.write(img, "png", folder.resolve(name).toFile());
            }
        }
    }

    static TrainJobConfig config(String output) {
        return ConfigLoader.fromString("""
                        data { format = image-folder, height = 8, width = 8, channels = gray,
                               validation-fraction = 0.25, test-fraction = 0.25 }
                        model { preset = custom, layers = [
                            { type = conv2d, filters = 2, kernel = 3 }, { type = maxpool, size = 2 },
                            { type = dense, units = 8 }, { type = output } ] }
                        training { batch-size-per-worker = 4, max-epochs = 1 }
                        """, "data.path=" + images.toUri(), "output.path=" + dir.resolve(output).toUri());
    }

    @Test
    void everyFileIsListedAndDecodesToItsClass() {
        JavaSparkContext sc = LocalSpark.get();
        TrainJobConfig config = config("unused");
        DatasetPreparer.Plan plan = DatasetPreparer.plan(config.data(), sc.hadoopConfiguration());
        assertEquals(List.of(CLASSES), plan.classNames());
        List<SampleRef> refs = new ArrayList<>(plan.train());
        refs.addAll(plan.validation());
        refs.addAll(plan.test());
        assertEquals(CLASSES.length * NAMES.length, refs.size());

        List<DecodeOutcome> outcomes = DatasetPreparer.decodeOutcomes(sc, refs, 2,
                sc.broadcast(new HadoopConfHolder(sc.hadoopConfiguration())), config.data().shape()).collect();
        Set<String> decoded = new TreeSet<>();
        for (DecodeOutcome o : outcomes) {
            assertTrue(o.isOk(), o.skippedId() + ": " + o.reason());
            int label = o.image().label();
            double mean = 0;
            for (byte b : o.image().pixels()) {
                mean += (b & 0xFF) / 64.0;
            }
            assertEquals(label == 0, mean < 128, o.image().id() + " (label " + label + ", mean " + mean + ")");
            String id = o.image().id();
            decoded.add(CLASSES[label] + "/" + id.substring(id.lastIndexOf('/') + 1));
        }
        Set<String> expected = new TreeSet<>();
        for (String c : CLASSES) {
            for (String n : NAMES) {
                expected.add(c + "/" + n);
            }
        }
        assertEquals(expected, decoded);
    }

    @Test
    void anIdxFileNamedWithATimestampReads() throws Exception {
        Path images = dir.resolve("export-2026-11-27T12:30:00-images-idx3-ubyte");
        io.sparkcnn.driver.TestData.write(images, new int[] {2, 2, 2}, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 8);
        IdxFile read = IdxFile.read(images.toUri().toString(), new org.apache.hadoop.conf.Configuration());
        assertEquals(2, read.dims()[0]);
        assertEquals(8, read.data()[7]);
    }

    @Test
    void theyTrainAndPredictLikeAnyOther() throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        TrainJobResult trained = TrainRunner.run(config("run"), sc);
        assertEquals(0, trained.skipped().size(), trained.skipped().toString());
        String out = dir.resolve("predictions").toUri().toString();
        PredictResult predicted = PredictRunner.run(new PredictConfig(trained.runPath(), List.of(images.toUri().toString()),
                List.of(), null, 2, out, false), sc);
        assertEquals(CLASSES.length * NAMES.length, predicted.rows());
        assertEquals(0, predicted.errors());
    }
}
