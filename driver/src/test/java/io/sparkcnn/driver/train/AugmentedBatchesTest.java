package io.sparkcnn.driver.train;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.data.PreparedData;
import io.sparkcnn.workers.Augmentation;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.Minibatches;
import io.sparkcnn.workers.TrainingBatches;
import io.sparkcnn.workers.model.NetworkFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * data.augment.* and model.label-smoothing reach the training minibatches of each epoch (BatchPartition), seeded
 * by (seed, epoch, partition) beside the shuffle without changing it, and never the validation pass.
 */
class AugmentedBatchesTest {
    static final ImageShape SHAPE = new ImageShape(1, 8, 8);
    static final FeatureScaling SCALING = FeatureScaling.minMax(new double[] {0}, new double[] {255});
    static final TrainingBatches FLIP = new TrainingBatches(new Augmentation(true, 0, 0, 0, 0, 0), 0);

    /** Random 8x8 gray images, pixels 1..255, labels alternating: no image is its own mirror. */
    static List<LabeledImage> images(int n, long seed) {
        Random random = new Random(seed);
        List<LabeledImage> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[SHAPE.pixels()];
            for (int p = 0; p < px.length; p++) {
                px[p] = (byte) (1 + random.nextInt(255));
            }
            list.add(new LabeledImage("img" + i, i % 2, px));
        }
        return list;
    }

    static List<DataSet> batches(TrainingBatches training, long shuffleSeed, int partition) {
        List<DataSet> out = new ArrayList<>();
        new BatchPartition(4, SHAPE, 2, SCALING, shuffleSeed, 1, training).call(partition, images(24, 1).iterator())
                .forEachRemaining(out::add);
        return out;
    }

    /** Per example, in order: 0 when it is the plain batch's image, 1 when its mirror; fails on anything else. */
    static List<Integer> flips(List<DataSet> augmented, List<DataSet> plain) {
        assertEquals(plain.size(), augmented.size());
        List<Integer> pattern = new ArrayList<>();
        for (int b = 0; b < plain.size(); b++) {
            assertEquals(plain.get(b).getLabels(), augmented.get(b).getLabels(), "the same order (labels) in batch " + b);
            for (int i = 0; i < plain.get(b).numExamples(); i++) {
                INDArray p = plain.get(b).getFeatures().slice(i);
                INDArray a = augmented.get(b).getFeatures().slice(i);
                INDArray mirrored = p.dup();
                for (int y = 0; y < SHAPE.height(); y++) {
                    for (int x = 0; x < SHAPE.width(); x++) {
                        mirrored.putScalar(new long[] {0, y, x}, p.getFloat(0, y, SHAPE.width() - 1 - x));
                    }
                }
                if (a.equals(p)) {
                    pattern.add(0);
                } else {
                    assertEquals(mirrored, a, "batch " + b + " example " + i + " is the image or its mirror");
                    pattern.add(1);
                }
            }
        }
        return pattern;
    }

    @Test
    void augmentationKeepsTheShuffleAndRepeatsForTheSameSeedEpochAndPartition() {
        List<DataSet> plain = batches(TrainingBatches.NONE, 43, 0);
        List<Integer> pattern = flips(batches(FLIP, 43, 0), plain);
        assertTrue(pattern.contains(0) && pattern.contains(1), "some flipped, some not: " + pattern);
        assertEquals(pattern, flips(batches(FLIP, 43, 0), plain), "the same seed, epoch and partition: the same images");
        // the next epoch (shuffle seed + 1) and another partition draw other flips, each over its own shuffle
        assertNotEquals(pattern, flips(batches(FLIP, 44, 0), batches(TrainingBatches.NONE, 44, 0)));
        assertNotEquals(pattern, flips(batches(FLIP, 43, 1), batches(TrainingBatches.NONE, 43, 1)));
    }

    @Test
    void labelSmoothingReachesTheTrainingTargets() {
        for (DataSet ds : batches(new TrainingBatches(Augmentation.NONE, 0.1), 43, 0)) {
            for (float[] row : ds.getLabels().toFloatMatrix()) {
                Arrays.sort(row);
                assertEquals(0.05f, row[0], 1e-6, "eps / K with K = 2");
                assertEquals(0.95f, row[1], 1e-6, "1 - eps + eps / K");
            }
        }
    }

    @Test
    void augmentationNeedsTheEpochsSeed() {
        assertThrows(IllegalArgumentException.class, () -> new BatchPartition(4, SHAPE, 2, SCALING, null, 1, FLIP));
    }

    @Test
    void theSparkPathRepeatsPerEpochAndValidationSeesThePlainImagesWithPlainLoss() throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        TrainJobConfig cfg = ConfigLoader.fromString("""
                        data { format = image-folder, path = "/not/read", height = 8, width = 8, channels = gray }
                        model { preset = custom, layers = [ { type = dense, units = 8 }, { type = output } ] }
                        training { batch-size-per-worker = 4, max-epochs = 2,
                                   early-stopping.restore-best-weights = false }
                        """, "data.augment.horizontal-flip=true", "data.augment.crop-padding=2",
                "data.augment.rotation=90", "data.augment.brightness=0.8", "data.augment.contrast=0.8",
                "model.label-smoothing=0.2");
        TrainingBatches training = new TrainingBatches(cfg.data().augment(), cfg.model().labelSmoothing());
        List<LabeledImage> validation = images(8, 2);
        JavaRDD<LabeledImage> train = sc.parallelize(images(24, 1), 2).cache();
        PreparedData data = new PreparedData(List.of("a", "b"), SHAPE, train, sc.parallelize(validation, 2),
                sc.parallelize(images(4, 3), 1), 2, Map.of("train", new long[] {12, 12}, "validation", new long[] {4, 4},
                "test", new long[] {2, 2}), List.of(), List.of("generated"), "sha256:test", SCALING);

        // through Spark (BatchPartition serialized to the tasks): an epoch repeats, the next differs
        List<DataSet> epoch1 = SparkTrainer.batches(data, train, 4, 6L, 1, training).collect();
        assertEquals(epoch1, SparkTrainer.batches(data, train, 4, 6L, 1, training).collect());
        assertNotEquals(epoch1, SparkTrainer.batches(data, train, 4, 7L, 1, training).collect());

        MultiLayerNetwork net = NetworkFactory.network(cfg.model().spec(), SHAPE, 2);
        List<INDArray> weights = new ArrayList<>();
        TrainingOutcome outcome = SparkTrainer.train(sc, cfg.training(), 5, data, training, net, null,
                (state, network) -> weights.add(network.params().dup()));
        assertEquals(2, outcome.history().size());
        // each epoch's val_loss is plain cross-entropy of that epoch's weights on the images as they are
        DataSet plain = Minibatches.toDataSet(validation, SHAPE, 2, SCALING);
        for (int e = 0; e < 2; e++) {
            MultiLayerNetwork copy = net.clone();
            copy.setParams(weights.get(e));
            float[][] probs = copy.output(plain.getFeatures(), false).toFloatMatrix();
            double loss = 0;
            for (int i = 0; i < validation.size(); i++) {
                loss += -Math.log(Math.max(probs[i][validation.get(i).label()], 1e-7));
            }
            assertEquals(loss / validation.size(), outcome.history().get(e).valLoss(), 1e-5, "epoch " + (e + 1));
        }
    }
}
