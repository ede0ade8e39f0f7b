package io.sparkcnn.workers;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MinibatchesTest {
    private static final ImageShape RGB = new ImageShape(3, 2, 2);

    /** Channel c of image i holds 10*c + i + 40*pixel. */
    static List<LabeledImage> images(int n) {
        List<LabeledImage> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[12];
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 4; p++) {
                    px[c * 4 + p] = (byte) (10 * c + i + 40 * p);
                }
            }
            list.add(new LabeledImage("img" + i, i % 3, px));
        }
        return list;
    }

    @Test
    void minMaxScalesEachChannelAndOneHotEncodes() {
        FeatureScaling scaling = FeatureScaling.minMax(new double[] {0, 10, 20}, new double[] {200, 110, 220});
        DataSet ds = Minibatches.toDataSet(images(2), RGB, 3, scaling);
        assertArrayEquals(new long[] {2, 3, 2, 2}, ds.getFeatures().shape());
        // image 1, channel 1, pixel 3: raw 10*1 + 1 + 120 = 131 -> (131 - 10) / 100
        assertEquals(1.21, ds.getFeatures().getDouble(1, 1, 1, 1), 1e-6);
        // image 0, channel 2, pixel 0: raw 20 -> (20 - 20) / 200
        assertEquals(0.0, ds.getFeatures().getDouble(0, 2, 0, 0), 1e-6);
        assertArrayEquals(new float[] {0, 1, 0}, ds.getLabels().getRow(1).toFloatVector());
    }

    @Test
    void standardizeSubtractsMeanAndDividesByStd() {
        FeatureScaling scaling = FeatureScaling.standardize(new double[] {50, 60, 70}, new double[] {10, 20, 40});
        DataSet ds = Minibatches.toDataSet(images(1), RGB, 3, scaling);
        // channel 2, pixel 1: raw 20 + 40 = 60 -> (60 - 70) / 40
        assertEquals(-0.25, ds.getFeatures().getDouble(0, 2, 0, 1), 1e-6);
    }

    @Test
    void labelOutsideTheClassesIsRejected() {
        List<LabeledImage> bad = List.of(new LabeledImage("x", 5, new byte[12]));
        FeatureScaling scaling = FeatureScaling.minMax(new double[3], new double[] {255, 255, 255});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Minibatches.toDataSet(bad, RGB, 3, scaling));
        assertTrue(e.getMessage().contains("x"), e.getMessage());
    }

    @Test
    void batchesGroupLazilyWithASmallerLastBatch() {
        FeatureScaling scaling = FeatureScaling.minMax(new double[3], new double[] {255, 255, 255});
        Iterator<DataSet> it = Minibatches.batches(images(5).iterator(), 2, RGB, 3, scaling);
        List<Integer> sizes = new ArrayList<>();
        it.forEachRemaining(ds -> sizes.add(ds.numExamples()));
        assertEquals(List.of(2, 2, 1), sizes);
    }

    @Test
    void dl4jNormalizerInModelZipScalesLikeTheWorkers() {
        for (FeatureScaling scaling : new FeatureScaling[] {
                FeatureScaling.minMax(new double[] {0, 10, 20}, new double[] {200, 110, 220}),
                FeatureScaling.standardize(new double[] {50, 60, 70}, new double[] {10, 20, 40})}) {
            List<LabeledImage> imgs = images(3);
            DataSet ours = Minibatches.toDataSet(imgs, RGB, 3, scaling);
            float[] raw = new float[3 * 12];
            for (int i = 0; i < 3; i++) {
                for (int p = 0; p < 12; p++) {
                    raw[i * 12 + p] = imgs.get(i).pixels()[p] & 0xFF;
                }
            }
            DataSet theirs = new DataSet(Nd4j.create(raw, new long[] {3, 3, 2, 2}, 'c'), ours.getLabels().dup());
            DataNormalization normalizer = scaling.toDl4jNormalizer();
            normalizer.transform(theirs);
            assertTrue(ours.getFeatures().equalsWithEps(theirs.getFeatures(), 1e-4), scaling.kind() + "\n"
                    + ours.getFeatures() + "\n" + theirs.getFeatures());
        }
    }

    @Test
    void grayMinMaxMatchesDl4jToo() {
        FeatureScaling scaling = FeatureScaling.minMax(new double[] {3}, new double[] {250});
        LabeledImage img = new LabeledImage("g", 0, new byte[] {3, (byte) 250, 100, 50});
        DataSet ours = Minibatches.toDataSet(List.of(img), new ImageShape(1, 2, 2), 2, scaling);
        DataSet theirs = new DataSet(Nd4j.create(new float[] {3, 250, 100, 50}, new long[] {1, 1, 2, 2}, 'c'),
                ours.getLabels().dup());
        scaling.toDl4jNormalizer().transform(theirs);
        assertTrue(ours.getFeatures().equalsWithEps(theirs.getFeatures(), 1e-4));
        assertEquals(1.0, ours.getFeatures().getDouble(0, 0, 0, 1), 1e-6);
    }

    @Test
    void labelSmoothingGivesTrainingTargetsOf091And001ForTenClasses() {
        FeatureScaling scaling = FeatureScaling.minMax(new double[3], new double[] {255, 255, 255});
        List<LabeledImage> imgs = List.of(new LabeledImage("a", 3, new byte[12]), new LabeledImage("b", 0, new byte[12]));
        DataSet ds = Minibatches.toDataSet(imgs, RGB, 10, scaling, new TrainingBatches(Augmentation.NONE, 0.1), null);
        float[][] rows = ds.getLabels().toFloatMatrix();
        for (int i = 0; i < 2; i++) {
            float sum = 0;
            for (int k = 0; k < 10; k++) {
                assertEquals(k == imgs.get(i).label() ? 0.91f : 0.01f, rows[i][k], 1e-6, "row " + i + " class " + k);
                sum += rows[i][k];
            }
            assertEquals(1f, sum, 1e-6, "a distribution, as softmax cross-entropy expects");
        }
        DataSet plain = Minibatches.toDataSet(imgs, RGB, 10, scaling, TrainingBatches.NONE, null);
        assertEquals(Minibatches.toDataSet(imgs, RGB, 10, scaling).getLabels(), plain.getLabels(), "one-hot without it");
    }

    @Test
    void augmentedBatchesAreScaledAsPlainOnesAndDrawImageByImage() {
        FeatureScaling scaling = FeatureScaling.standardize(new double[] {50, 60, 70}, new double[] {10, 20, 40});
        List<LabeledImage> imgs = images(5);
        Augmentation flip = new Augmentation(true, 0, 0, 0, 0, 0);
        TrainingBatches training = new TrainingBatches(flip, 0);
        DataSet augmented = Minibatches.toDataSet(imgs, RGB, 3, scaling, training, new java.util.SplittableRandom(9));
        // the same draws, image by image, then scaled as evaluation scales
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        for (int i = 0; i < imgs.size(); i++) {
            float[] raw = flip.apply(imgs.get(i).pixels(), RGB, random);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 4; p++) {
                    float expected = (raw[c * 4 + p] - scaling.offset(c)) * scaling.factor(c);
                    assertEquals(expected, augmented.getFeatures().getFloat(i, c, p / 2, p % 2), 1e-6);
                }
            }
        }
        // no augmentation: exactly the evaluation minibatch, generator or not
        assertEquals(Minibatches.toDataSet(imgs, RGB, 3, scaling).getFeatures(),
                Minibatches.toDataSet(imgs, RGB, 3, scaling, TrainingBatches.NONE, new java.util.SplittableRandom(9))
                        .getFeatures());
        // lazily grouped batches draw in order: the same generator seed gives the same batches
        List<DataSet> once = new ArrayList<>();
        List<DataSet> twice = new ArrayList<>();
        Minibatches.batches(images(5).iterator(), 2, RGB, 3, scaling, training, new java.util.SplittableRandom(4))
                .forEachRemaining(once::add);
        Minibatches.batches(images(5).iterator(), 2, RGB, 3, scaling, training, new java.util.SplittableRandom(4))
                .forEachRemaining(twice::add);
        assertEquals(once, twice);
        assertThrows(IllegalArgumentException.class, () -> Minibatches.toDataSet(imgs, RGB, 3, scaling, training, null));
    }
}
