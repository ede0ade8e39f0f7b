package io.sparkcnn.driver.train;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Iterator;
import java.util.List;

/**
 * Runs on executors: one forward pass per minibatch gives both the cross-entropy and the predictions
 * (DL4J's Spark evaluate and calculateScore would take two passes).
 */
final class EvaluatePartition implements FlatMapFunction<Iterator<DataSet>, EvalStats> {
    private static final long serialVersionUID = 1L;
    private static final double EPS = 1e-7;
    private final Broadcast<NetworkHolder> network;
    private final int numClasses;

    EvaluatePartition(Broadcast<NetworkHolder> network, int numClasses) {
        this.network = network;
        this.numClasses = numClasses;
    }

    @Override
    public Iterator<EvalStats> call(Iterator<DataSet> batches) {
        EvalStats stats = new EvalStats(numClasses);
        if (!batches.hasNext()) {
            return List.of(stats).iterator();
        }
        MultiLayerNetwork net = network.value().get();
        while (batches.hasNext()) {
            DataSet ds = batches.next();
            INDArray probs = net.output(ds.getFeatures(), false);
            accumulate(stats, probs.toFloatMatrix(), ds.getLabels().toFloatMatrix());
        }
        return List.of(stats).iterator();
    }

    static void accumulate(EvalStats stats, float[][] probs, float[][] labels) {
        for (int i = 0; i < probs.length; i++) {
            int actual = argMax(labels[i]);
            int predicted = argMax(probs[i]);
            stats.lossSum += -Math.log(Math.max(probs[i][actual], EPS));
            stats.count++;
            if (actual == predicted) {
                stats.correct++;
            }
            stats.confusion[actual][predicted]++;
        }
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
