package io.sparkcnn.driver.train;

import io.sparkcnn.workers.LayerHelpers;
import io.sparkcnn.workers.NativeThreads;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.Minibatches;
import io.sparkcnn.workers.TrainingBatches;
import org.apache.spark.api.java.function.Function2;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Runs on executors: turns a partition of decoded images into scaled minibatches. With a shuffle seed,
 * the partition's order is shuffled first (seeded by epoch and partition, so runs repeat exactly), and the
 * images are augmented and the labels smoothed as {@link TrainingBatches} says (training only).
 */
final class BatchPartition implements Function2<Integer, Iterator<LabeledImage>, Iterator<DataSet>> {
    private static final long serialVersionUID = 1L;
    private final int batchSize;
    private final ImageShape shape;
    private final int numClasses;
    private final FeatureScaling scaling;
    private final Long shuffleSeed;
    private final int threads;
    private final TrainingBatches training;

    /**
     * {@code threads}: ND4J threads for the worker fitting these batches in this executor; 0 = spark.task.cpus.
     * {@code training}: augmentation and label smoothing, which need the shuffle seed (their draws derive from it).
     */
    BatchPartition(int batchSize, ImageShape shape, int numClasses, FeatureScaling scaling, Long shuffleSeed, int threads,
                   TrainingBatches training) {
        if (shuffleSeed == null && !training.augmentation().isNone()) {
            throw new IllegalArgumentException("augmentation needs the shuffle seed of the epoch");
        }
        this.batchSize = batchSize;
        this.shape = shape;
        this.numClasses = numClasses;
        this.scaling = scaling;
        this.shuffleSeed = shuffleSeed;
        this.threads = threads;
        this.training = training;
    }

    /**
     * The augmentation draws of one partition in one epoch: a stream of its own beside the shuffle's (another
     * generator, another seed), so turning augmentation on leaves the order of the minibatches as it was.
     */
    static SplittableRandom augmentationRandom(long shuffleSeed, int partition) {
        return new SplittableRandom((shuffleSeed * 1_000_003L + partition) ^ 0x9E3779B97F4A7C15L);
    }

    /** The threads a worker may use: as configured, else the cores Spark reserves per task. */
    static int workerThreads(int configured) {
        if (configured > 0) {
            return configured;
        }
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        return env == null ? 1 : Math.max(1, env.conf().getInt("spark.task.cpus", 1));
    }

    @Override
    public Iterator<DataSet> call(Integer partition, Iterator<LabeledImage> images) {
        // the worker that fits these batches runs in this task, in this JVM
        NativeThreads.limit(workerThreads(threads));
        // DL4J builds this task's worker network after this call returns; it must get the layer helpers
        LayerHelpers.enable();
        Iterator<LabeledImage> source = images;
        if (shuffleSeed != null) {
            List<LabeledImage> all = new ArrayList<>();
            images.forEachRemaining(all::add);
            Collections.shuffle(all, new Random(shuffleSeed * 1_000_003L + partition));
            source = all.iterator();
        }
        SplittableRandom random = shuffleSeed == null ? null : augmentationRandom(shuffleSeed, partition);
        return Minibatches.batches(source, batchSize, shape, numClasses, scaling, training, random);
    }
}
