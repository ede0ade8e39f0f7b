package io.sparkcnn.driver.train;

import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.Minibatches;
import org.apache.spark.api.java.function.Function2;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Runs on executors: turns a partition of decoded images into scaled minibatches. With a shuffle seed,
 * the partition's order is shuffled first (seeded by epoch and partition, so runs repeat exactly).
 */
final class BatchPartition implements Function2<Integer, Iterator<LabeledImage>, Iterator<DataSet>> {
    private static final long serialVersionUID = 1L;
    private final int batchSize;
    private final ImageShape shape;
    private final int numClasses;
    private final FeatureScaling scaling;
    private final Long shuffleSeed;

    BatchPartition(int batchSize, ImageShape shape, int numClasses, FeatureScaling scaling, Long shuffleSeed) {
        this.batchSize = batchSize;
        this.shape = shape;
        this.numClasses = numClasses;
        this.scaling = scaling;
        this.shuffleSeed = shuffleSeed;
    }

    @Override
    public Iterator<DataSet> call(Integer partition, Iterator<LabeledImage> images) {
        Iterator<LabeledImage> source = images;
        if (shuffleSeed != null) {
            List<LabeledImage> all = new ArrayList<>();
            images.forEachRemaining(all::add);
            Collections.shuffle(all, new Random(shuffleSeed * 1_000_003L + partition));
            source = all.iterator();
        }
        return Minibatches.batches(source, batchSize, shape, numClasses, scaling);
    }
}
