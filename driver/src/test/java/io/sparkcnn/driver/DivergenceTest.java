package io.sparkcnn.driver;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.output.CheckpointStore;
import io.sparkcnn.driver.output.RunFolder;
import io.sparkcnn.driver.train.EarlyStopping;
import io.sparkcnn.driver.train.TrainingDivergedException;
import io.sparkcnn.driver.train.TrainingState;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.model.NetworkFactory;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A learning rate that makes training diverge stops it with a clear error instead of publishing NaN. */
class DivergenceTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeImages() throws Exception {
        Random random = new Random(9);
        for (String cls : new String[] {"dark", "light"}) {
            Path folder = Files.createDirectories(dir.resolve("images/" + cls));
            for (int i = 0; i < 12; i++) {
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < 64; p++) {
                    img.getRaster().setSample(p % 8, p / 8, 0, (cls.equals("dark") ? 10 : 200) + random.nextInt(50));
                }
                ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
            }
        }
    }

    static TrainJobConfig config(String output, String learningRate) {
        return ConfigLoader.fromString("""
                        data { format = image-folder, height = 8, width = 8, channels = gray,
                               validation-fraction = 0.25, test-fraction = 0.25 }
                        model { preset = custom, optimizer = sgd, layers = [
                            { type = conv2d, filters = 4, kernel = 3 }, { type = dense, units = 16 }, { type = output } ] }
                        training { batch-size-per-worker = 4, max-epochs = 3 }
                        """, "data.path=" + dir.resolve("images").toUri(), "model.learning-rate=" + learningRate,
                "output.path=" + dir.resolve(output).toUri());
    }

    private static List<String> runsFolder() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("images")).sorted().toList();
        }
    }

    @Test
    void aDivergingRunFailsNamingTheLearningRateAndPublishesNothing() throws Exception {
        List<String> before = runsFolder();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> TrainRunner.run(config("diverged", "1e6"), LocalSpark.get()));
        String m = e.getMessage();
        assertTrue(m.startsWith("training diverged in epoch "), m);
        assertTrue(m.contains("NaN") || m.contains("Infinity"), m);
        assertTrue(m.contains("The sgd optimizer with model.learning-rate = 1000000 takes steps too large for this data:"
                + " lower model.learning-rate (e.g. to 100000)"), m);
        assertTrue(e instanceof InvalidInputException, "exit code 2");
        assertEquals(before, runsFolder(), "no run folder, no unfinished folder");
    }

    @Test
    void aCheckpointWithNonFiniteWeightsIsNotResumed() throws Exception {
        Configuration conf = new Configuration();
        TrainJobConfig config = config("nan-checkpoint", "0.01");
        RunFolder crashed = RunFolder.begin(config.output().path(), false, conf);
        CheckpointStore store = new CheckpointStore(crashed.fileSystem(), crashed.temp());
        MultiLayerNetwork net = NetworkFactory.network(config.model().spec(), config.data().shape(), 2);
        net.params().putScalar(3, Double.NaN);
        store.write(new TrainingState(1, List.of(), new EarlyStopping.State(Double.POSITIVE_INFINITY, -1, 1, false),
                null, null, null), net, FeatureScaling.minMax(new double[] {0}, new double[] {255}).toDl4jNormalizer(),
                config.resolved(), "sha256:config", "sha256:data");

        crashed.release(); // the crashed job's lock (a dead process's is taken over: OutputLockTest)
        RunFolder again = RunFolder.begin(config.output().path(), false, conf);
        assertTrue(again.existed());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TrainRunner.resumePoint(config, again,
                new CheckpointStore(again.fileSystem(), again.temp()), "sha256:config", "sha256:data"));
        assertTrue(e.getMessage().contains("checkpoints/epoch-0001") && e.getMessage().contains("NaN or infinite")
                && e.getMessage().contains("refusing to resume"), e.getMessage());
    }
}
