package io.sparkcnn.driver.train;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.config.EarlyStoppingConfig;
import io.sparkcnn.driver.config.TrainingConfig;
import io.sparkcnn.driver.data.PreparedData;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.TrainingBatches;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-epoch progress lines in local[2] on 600 seeded 8x8 images (15 averaging rounds of 2 workers x 2
 * minibatches of 10 per epoch): the workers' image count reaches the training split exactly, the lines count
 * up within each epoch, none comes after its epoch's end, and with training.progress off there are none.
 */
class EpochProgressTrainingTest {
    private static final ImageShape SHAPE = new ImageShape(1, 8, 8);
    private static final int CLASSES = 3;
    private static final int PER_CLASS = 200;
    private static final int TRAIN = CLASSES * PER_CLASS;
    private static final int BATCH = 10;
    private static final Pattern LINE = Pattern.compile("Epoch (\\d+)/(\\d+) - ([\\d,]+)/600 images \\((\\d+)%\\)"
            + " - \\d+ images/s - ETA \\d+[smh]( \\d\\d[sm])? - loss: \\d+\\.\\d{4}");

    /** Each class a brightness band plus seeded noise, so the network has something to learn. */
    private static List<LabeledImage> images(int perClass, long seed) {
        Random r = new Random(seed);
        List<LabeledImage> out = new ArrayList<>();
        for (int i = 0; i < perClass; i++) {
            for (int c = 0; c < CLASSES; c++) {
                byte[] pixels = new byte[SHAPE.pixels()];
                for (int p = 0; p < pixels.length; p++) {
                    pixels[p] = (byte) (c * 80 + r.nextInt(80));
                }
                out.add(new LabeledImage("img-" + c + "-" + i, c, pixels));
            }
        }
        return out;
    }

    private static PreparedData data(JavaSparkContext sc) {
        JavaRDD<LabeledImage> train = sc.parallelize(images(PER_CLASS, 1), 2).cache();
        JavaRDD<LabeledImage> validation = sc.parallelize(images(20, 2), 2).cache();
        long[] perClass = {PER_CLASS, PER_CLASS, PER_CLASS};
        return new PreparedData(List.of("a", "b", "c"), SHAPE, train, validation, sc.emptyRDD(), 2,
                Map.of("train", perClass, "validation", new long[] {20, 20, 20}, "test", new long[] {0, 0, 0}),
                List.of(), List.of("seeded"), "sha256:test", FeatureScaling.minMax(new double[] {0}, new double[] {255}));
    }

    private static MultiLayerNetwork network() {
        return NetworkFactory.network(new ModelSpec(List.of(
                new LayerSpec.Conv2D(4, 3, 1, LayerSpec.Padding.SAME, LayerSpec.Activation.RELU),
                new LayerSpec.Pool(LayerSpec.PoolType.MAX, 2, 2),
                new LayerSpec.Dense(8, LayerSpec.Activation.RELU),
                new LayerSpec.Output()), Optimizer.ADAM, 0.01, 0.9, ModelSpec.WeightInitKind.XAVIER, 0.0, 3), SHAPE, CLASSES);
    }

    /** Progress interval 0 (the config loader refuses below 1 s; the trainer takes it): a line at every finished
     * task that fitted more images, so the lines do not depend on how fast this machine is. */
    private static TrainingConfig config(int epochs, boolean progress) {
        return new TrainingConfig(BATCH, 2, 0, 2, epochs, 0,
                new EarlyStoppingConfig(EarlyStoppingConfig.Monitor.VAL_LOSS, 0, epochs, false), 0, progress,
                Duration.ZERO);
    }

    /** Waits until the listener bus has handed out every event posted so far (no sleeping on a guess). */
    private static void drainListenerBus(JavaSparkContext sc) throws java.util.concurrent.TimeoutException {
        sc.sc().listenerBus().waitUntilEmpty();
    }

    @Test
    void workersCountEveryTrainingImageAndTheLinesCountUp() throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        PreparedData data = data(sc);
        DoubleAccumulator lossSum = sc.sc().doubleAccumulator();
        LongAccumulator batches = sc.sc().longAccumulator();
        LongAccumulator images = sc.sc().longAccumulator();
        List<String> lines = new CopyOnWriteArrayList<>();
        // interval 0: a line at every finished task that fitted images, so every count the driver read is visible
        EpochProgressListener listener = new EpochProgressListener(new EpochProgress(1, 1, TRAIN, System.nanoTime(), 0),
                images, lossSum, batches, System::nanoTime, lines::add);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, network(),
                SparkTrainer.trainingMaster(config(1, true), 2, 5));
        sparkNet.setListeners(List.of(new ScoreListener(lossSum, batches, null, images)));
        JavaRDD<DataSet> batchRdd = SparkTrainer.batches(data, data.train(), BATCH, 5L, 0, TrainingBatches.NONE).cache();
        sc.sc().addSparkListener(listener);
        try {
            sparkNet.fit(batchRdd);
            drainListenerBus(sc);
        } finally {
            listener.close();
            sc.sc().removeSparkListener(listener);
            batchRdd.unpersist(false);
            data.unpersist();
        }

        assertEquals(TRAIN, images.value(), "every training image fitted once, counted on the driver");
        assertEquals(TRAIN / BATCH, batches.value());
        assertTrue(lines.size() >= 3, "a line per round of averaging: " + lines);
        long previous = 0;
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), line);
            long done = Long.parseLong(m.group(3).replace(",", ""));
            assertTrue(done > previous && done < TRAIN, "counts up, below the total: " + lines);
            assertEquals(0, done % BATCH, "whole minibatches: " + line);
            previous = done;
        }
    }

    @Test
    void trainerLogsCountingLinesDuringEachEpochAndNoneAfterIt() throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        PreparedData data = data(sc);
        AtomicInteger epochsEnded = new AtomicInteger();
        List<String> lines = new CopyOnWriteArrayList<>();
        List<String> late = new CopyOnWriteArrayList<>();
        try {
            TrainingOutcome outcome = SparkTrainer.train(sc, config(2, true), 7, data, TrainingBatches.NONE, network(), null,
                    (state, net) -> epochsEnded.set(state.epoch()), null, line -> {
                        lines.add(line);
                        Matcher m = LINE.matcher(line);
                        if (m.matches() && Integer.parseInt(m.group(1)) <= epochsEnded.get()) {
                            late.add(line);
                        }
                    });
            assertEquals(2, outcome.history().size());
            int linesWhenDone = lines.size();
            drainListenerBus(sc);
            assertEquals(linesWhenDone, lines.size(), "the listener is gone with its epoch: " + lines);
        } finally {
            data.unpersist();
        }
        System.out.println("Progress lines:" + lines.stream().map(l -> "\n  " + l).reduce("", String::concat));
        assertEquals(List.of(), late, "a progress line after its epoch's checkpoint");
        for (int epoch = 1; epoch <= 2; epoch++) {
            long previous = 0;
            int count = 0;
            for (String line : lines) {
                Matcher m = LINE.matcher(line);
                assertTrue(m.matches(), line);
                assertEquals("2", m.group(2));
                if (Integer.parseInt(m.group(1)) == epoch) {
                    long done = Long.parseLong(m.group(3).replace(",", ""));
                    assertTrue(done > previous && done < TRAIN, "strictly up within epoch " + epoch + ": " + lines);
                    previous = done;
                    count++;
                }
            }
            // 15 rounds of averaging, a line after each but the last
            assertTrue(count >= 3, "epoch " + epoch + " has lines as its rounds finish: " + lines);
        }
    }

    @Test
    void progressOffLogsNothing() throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        PreparedData data = data(sc);
        List<String> lines = new CopyOnWriteArrayList<>();
        try {
            SparkTrainer.train(sc, config(1, false), 7, data, TrainingBatches.NONE, network(), null, EpochCheckpointer.NONE,
                    null, lines::add);
            drainListenerBus(sc);
        } finally {
            data.unpersist();
        }
        assertEquals(List.of(), lines);
    }
}
