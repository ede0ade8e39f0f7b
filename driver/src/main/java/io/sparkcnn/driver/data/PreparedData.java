package io.sparkcnn.driver.data;

import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import org.apache.spark.api.java.JavaRDD;

import java.util.List;
import java.util.Map;

/**
 * The dataset after listing, splitting and decoding: cached RDDs of decoded images per split (the
 * training split balanced over {@code partitions}), the scaling fitted on the training split, and what
 * the manifest records about it.
 */
public record PreparedData(List<String> classNames, ImageShape shape, JavaRDD<LabeledImage> train,
                           JavaRDD<LabeledImage> validation, JavaRDD<LabeledImage> test, int partitions,
                           Map<String, long[]> countsPerSplit, List<SkippedFile> skipped, List<String> sources,
                           String fingerprint, FeatureScaling scaling) {

    public int numClasses() {
        return classNames.size();
    }

    public long count(Split split) {
        long total = 0;
        for (long n : countsPerSplit.get(split.jsonName())) {
            total += n;
        }
        return total;
    }

    /** Releases the cached splits. */
    public void unpersist() {
        train.unpersist(false);
        validation.unpersist(false);
        test.unpersist(false);
    }
}
