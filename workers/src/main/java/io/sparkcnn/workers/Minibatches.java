package io.sparkcnn.workers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Builds scaled NCHW feature / one-hot label minibatches from decoded images; training minibatches may also
 * be augmented and have smoothed labels ({@link TrainingBatches}).
 */
public final class Minibatches {
    private Minibatches() {
    }

    /** One minibatch from up to batch-size images, as they are (evaluation, prediction). */
    public static DataSet toDataSet(List<LabeledImage> images, ImageShape shape, int numClasses, FeatureScaling scaling) {
        return toDataSet(images, shape, numClasses, scaling, TrainingBatches.NONE, null);
    }

    /**
     * One minibatch whose images are augmented as {@code training} says, drawing from {@code random} image by image
     * in list order, and whose label rows are (1 - eps) * one-hot + eps / K (Keras' and PyTorch's label smoothing).
     * {@code random} may be null when {@code training} has no augmentation.
     */
    public static DataSet toDataSet(List<LabeledImage> images, ImageShape shape, int numClasses, FeatureScaling scaling,
                                    TrainingBatches training, SplittableRandom random) {
        int n = images.size();
        int plane = shape.height() * shape.width();
        int perImage = shape.pixels();
        Augmentation augmentation = training.augmentation();
        boolean augment = !augmentation.isNone();
        if (augment && random == null) {
            throw new IllegalArgumentException("augmentation needs a seeded random generator");
        }
        float[] features = new float[n * perImage];
        float[] labels = new float[n * numClasses];
        float[] offset = new float[shape.channels()];
        float[] factor = new float[shape.channels()];
        for (int c = 0; c < shape.channels(); c++) {
            offset[c] = scaling.offset(c);
            factor[c] = scaling.factor(c);
        }
        float eps = (float) training.labelSmoothing();
        float off = eps / numClasses;
        float on = 1f - eps + off;
        for (int i = 0; i < n; i++) {
            LabeledImage image = images.get(i);
            byte[] px = image.pixels();
            if (px.length != perImage) {
                throw new IllegalArgumentException(image.id() + ": " + px.length + " pixels, expected " + perImage);
            }
            int base = i * perImage;
            if (augment) {
                // raw 0..255 values straight into the buffer, scaled in place below: scaling is unchanged
                augmentation.apply(px, shape, random, features, base);
            }
            for (int c = 0; c < shape.channels(); c++) {
                float o = offset[c];
                float f = factor[c];
                int start = c * plane;
                if (augment) {
                    for (int p = base + start; p < base + start + plane; p++) {
                        features[p] = (features[p] - o) * f;
                    }
                } else {
                    for (int p = 0; p < plane; p++) {
                        features[base + start + p] = ((px[start + p] & 0xFF) - o) * f;
                    }
                }
            }
            int label = image.label();
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException(image.id() + ": label " + label + " outside 0.." + (numClasses - 1));
            }
            if (eps > 0) {
                java.util.Arrays.fill(labels, i * numClasses, (i + 1) * numClasses, off);
                labels[i * numClasses + label] = on;
            } else {
                labels[i * numClasses + label] = 1f;
            }
        }
        INDArray f = Nd4j.create(features, new long[] {n, shape.channels(), shape.height(), shape.width()}, 'c');
        INDArray l = Nd4j.create(labels, new long[] {n, numClasses}, 'c');
        return new DataSet(f, l);
    }

    /** Groups images into minibatches of {@code batchSize} (the last may be smaller), lazily. */
    public static Iterator<DataSet> batches(Iterator<LabeledImage> images, int batchSize, ImageShape shape,
                                            int numClasses, FeatureScaling scaling) {
        return batches(images, batchSize, shape, numClasses, scaling, TrainingBatches.NONE, null);
    }

    /**
     * As {@link #batches(Iterator, int, ImageShape, int, FeatureScaling)}, each minibatch built as
     * {@link #toDataSet(List, ImageShape, int, FeatureScaling, TrainingBatches, SplittableRandom)} says; the
     * minibatches draw from {@code random} in order, so consuming them in order repeats exactly.
     */
    public static Iterator<DataSet> batches(Iterator<LabeledImage> images, int batchSize, ImageShape shape,
                                            int numClasses, FeatureScaling scaling, TrainingBatches training,
                                            SplittableRandom random) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return images.hasNext();
            }

            @Override
            public DataSet next() {
                if (!images.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<LabeledImage> batch = new ArrayList<>(batchSize);
                while (batch.size() < batchSize && images.hasNext()) {
                    batch.add(images.next());
                }
                return toDataSet(batch, shape, numClasses, scaling, training, random);
            }
        };
    }
}
