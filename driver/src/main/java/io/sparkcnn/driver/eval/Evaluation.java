package io.sparkcnn.driver.eval;

import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Distributed evaluation: a network broadcast once (a {@link NetworkHolder}, built lazily per executor thread),
 * one forward pass per batch of decoded images on the executors ({@link EvaluationPartition}), folded into
 * {@link EvaluationStats} on the driver. Closing it destroys the broadcast.
 *
 * <pre>{@code
 * try (Evaluation eval = Evaluation.of(sc, net)) {
 *     EvaluationStats test = eval.on(testImages, shape, numClasses, scaling, 32);
 * }
 * }</pre>
 */
public final class Evaluation implements AutoCloseable {
    private final Broadcast<NetworkHolder> network;

    private Evaluation(Broadcast<NetworkHolder> network) {
        this.network = network;
    }

    /** Broadcasts {@code net} (its configuration and a copy of its parameters) for one or more evaluations. */
    public static Evaluation of(JavaSparkContext sc, MultiLayerNetwork net) {
        return new Evaluation(sc.broadcast(new NetworkHolder(net)));
    }

    /** One evaluation of {@code net} on {@code images}: broadcast, evaluate, destroy the broadcast. */
    public static EvaluationStats on(JavaSparkContext sc, MultiLayerNetwork net, JavaRDD<LabeledImage> images,
                                     ImageShape shape, int numClasses, FeatureScaling scaling, int keepMistakes) {
        try (Evaluation eval = of(sc, net)) {
            return eval.on(images, shape, numClasses, scaling, keepMistakes);
        }
    }

    /** Evaluates {@code images}, keeping the {@code keepMistakes} most confident mistakes with their pixels. */
    public EvaluationStats on(JavaRDD<LabeledImage> images, ImageShape shape, int numClasses, FeatureScaling scaling,
                              int keepMistakes) {
        EvaluationStats empty = new EvaluationStats(numClasses, keepMistakes);
        return images.mapPartitions(new EvaluationPartition(network, shape, numClasses, scaling, keepMistakes))
                .fold(empty, EvaluationStats::merge);
    }

    /** The broadcast network, for other executor-side functions over the same network (predict). */
    public Broadcast<NetworkHolder> network() {
        return network;
    }

    @Override
    public void close() {
        network.destroy();
    }
}
