package io.sparkcnn.driver.train;

import io.sparkcnn.workers.LayerHelpers;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Travels to the workers with the training master. DL4J Spark builds each worker's network itself (from the
 * broadcast configuration and parameters, every averaging round), so this hook gives that network's batch norm
 * layers our {@link io.sparkcnn.workers.BatchStatsBatchNormHelper} before the first minibatch it fits
 * ({@link LayerHelpers#useBatchStatsBatchNorm}; a no-op for layers that already have it or run builtin).
 */
final class BatchStatsHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork net) {
            LayerHelpers.useBatchStatsBatchNorm(net);
        }
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
