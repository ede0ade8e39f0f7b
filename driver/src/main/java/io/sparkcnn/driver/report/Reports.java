package io.sparkcnn.driver.report;

import io.sparkcnn.driver.train.NetworkHolder;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;

/** Distributed evaluation for reports: the network is broadcast once and built lazily on each executor. */
public final class Reports {
    private Reports() {
    }

    /** Evaluates {@code images}, keeping the {@code keepMistakes} most confident mistakes with their pixels. */
    public static ReportStats evaluate(Broadcast<NetworkHolder> network, JavaRDD<LabeledImage> images, ImageShape shape,
                                       int numClasses, FeatureScaling scaling, int keepMistakes) {
        ReportStats empty = new ReportStats(numClasses, keepMistakes);
        return images.mapPartitions(new ReportPartition(network, shape, numClasses, scaling, keepMistakes))
                .fold(empty, ReportStats::merge);
    }
}
