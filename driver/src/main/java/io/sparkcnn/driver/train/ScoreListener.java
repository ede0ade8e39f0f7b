package io.sparkcnn.driver.train;

import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;

/**
 * Travels to the workers with the training master and adds every minibatch's loss to Spark
 * accumulators, so the driver gets the epoch's mean training loss (Keras' "loss") without another pass.
 */
final class ScoreListener extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 1L;
    private final DoubleAccumulator lossSum;
    private final LongAccumulator batches;

    ScoreListener(DoubleAccumulator lossSum, LongAccumulator batches) {
        this.lossSum = lossSum;
        this.batches = batches;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        lossSum.add(model.score());
        batches.add(1);
    }
}
