package io.sparkcnn.driver.eval;

import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.Minibatches;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Runs on executors: one forward pass per batch of decoded images, folded into a {@link EvaluationStats}
 * (the network comes from a broadcast {@link NetworkHolder}, built once per executor thread).
 */
public final class EvaluationPartition implements FlatMapFunction<Iterator<LabeledImage>, EvaluationStats> {
    private static final long serialVersionUID = 1L;
    static final int BATCH = 256;
    private final Broadcast<NetworkHolder> network;
    private final ImageShape shape;
    private final int numClasses;
    private final FeatureScaling scaling;
    private final int keepMistakes;

    public EvaluationPartition(Broadcast<NetworkHolder> network, ImageShape shape, int numClasses, FeatureScaling scaling,
                           int keepMistakes) {
        this.network = network;
        this.shape = shape;
        this.numClasses = numClasses;
        this.scaling = scaling;
        this.keepMistakes = keepMistakes;
    }

    @Override
    public Iterator<EvaluationStats> call(Iterator<LabeledImage> images) {
        EvaluationStats stats = new EvaluationStats(numClasses, keepMistakes);
        List<LabeledImage> batch = new ArrayList<>(BATCH);
        while (images.hasNext()) {
            batch.add(images.next());
            if (batch.size() == BATCH || !images.hasNext()) {
                MultiLayerNetwork net = network.value().get();
                DataSet ds = Minibatches.toDataSet(batch, shape, numClasses, scaling);
                float[][] probs = net.output(ds.getFeatures(), false).toFloatMatrix();
                for (int i = 0; i < batch.size(); i++) {
                    LabeledImage image = batch.get(i);
                    stats.add(image.id(), image.label(), probs[i], image.pixels());
                }
                batch.clear();
            }
        }
        return List.of(stats).iterator();
    }
}
