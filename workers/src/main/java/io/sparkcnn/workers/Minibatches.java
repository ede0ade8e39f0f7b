package io.sparkcnn.workers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Builds scaled NCHW feature / one-hot label minibatches from decoded images. */
public final class Minibatches {
    private Minibatches() {
    }

    /** One minibatch from up to batch-size images. */
    public static DataSet toDataSet(List<LabeledImage> images, ImageShape shape, int numClasses, FeatureScaling scaling) {
        int n = images.size();
        int plane = shape.height() * shape.width();
        int perImage = shape.pixels();
        float[] features = new float[n * perImage];
        float[] labels = new float[n * numClasses];
        float[] offset = new float[shape.channels()];
        float[] factor = new float[shape.channels()];
        for (int c = 0; c < shape.channels(); c++) {
            offset[c] = scaling.offset(c);
            factor[c] = scaling.factor(c);
        }
        for (int i = 0; i < n; i++) {
            LabeledImage image = images.get(i);
            byte[] px = image.pixels();
            if (px.length != perImage) {
                throw new IllegalArgumentException(image.id() + ": " + px.length + " pixels, expected " + perImage);
            }
            int base = i * perImage;
            for (int c = 0; c < shape.channels(); c++) {
                float o = offset[c];
                float f = factor[c];
                int start = c * plane;
                for (int p = 0; p < plane; p++) {
                    features[base + start + p] = ((px[start + p] & 0xFF) - o) * f;
                }
            }
            int label = image.label();
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException(image.id() + ": label " + label + " outside 0.." + (numClasses - 1));
            }
            labels[i * numClasses + label] = 1f;
        }
        INDArray f = Nd4j.create(features, new long[] {n, shape.channels(), shape.height(), shape.width()}, 'c');
        INDArray l = Nd4j.create(labels, new long[] {n, numClasses}, 'c');
        return new DataSet(f, l);
    }

    /** Groups images into minibatches of {@code batchSize} (the last may be smaller), lazily. */
    public static Iterator<DataSet> batches(Iterator<LabeledImage> images, int batchSize, ImageShape shape,
                                            int numClasses, FeatureScaling scaling) {
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
                return toDataSet(batch, shape, numClasses, scaling);
            }
        };
    }
}
