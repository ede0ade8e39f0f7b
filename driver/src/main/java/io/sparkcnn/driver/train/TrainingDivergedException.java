package io.sparkcnn.driver.train;

import io.sparkcnn.driver.common.InvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.IUpdater;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Training stopped at the first epoch whose loss or weights are not finite (Keras' TerminateOnNaN): the
 * optimizer's steps are too large for the data. A config problem the user fixes, so the job exits 2.
 */
public final class TrainingDivergedException extends InvalidInputException {
    public TrainingDivergedException(String message) {
        super(message);
    }

    /** {@code configuredRate} is model.learning-rate; the epoch's own rate (a schedule's) is read from {@code net}. */
    static TrainingDivergedException at(int epoch, double loss, Double valLoss, MultiLayerNetwork net,
                                        double configuredRate) {
        IUpdater updater = updater(net);
        String optimizer = updater == null ? "The optimizer"
                : "The " + updater.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " optimizer";
        String advice;
        if (updater != null && updater.hasLearningRate()) {
            double epochRate = updater.getLearningRate(0, 0);
            double lr = Double.isNaN(configuredRate) ? epochRate : configuredRate;
            String rate = epochRate == lr ? "with model.learning-rate = " + plain(lr)
                    : "at the learning rate " + plain(epochRate) + " the schedule gave this epoch (model.learning-rate = "
                    + plain(lr) + ")";
            advice = optimizer + " " + rate + " takes steps too large for this data:"
                    + " lower model.learning-rate (e.g. to " + plain(lr / 10) + ") and train again";
        } else {
            advice = optimizer + " takes steps too large for this data: choose another model.optimizer and train again";
        }
        return new TrainingDivergedException("training diverged in epoch " + epoch + ": loss " + loss
                + (valLoss == null ? "" : ", val_loss " + valLoss) + " (weights or loss are NaN or infinite). " + advice
                + " (with --overwrite if an unfinished run was kept). No model was written");
    }

    private static IUpdater updater(MultiLayerNetwork net) {
        for (NeuralNetConfiguration conf : net.getLayerWiseConfigurations().getConfs()) {
            if (conf.getLayer() instanceof BaseLayer layer && layer.getIUpdater() != null) {
                return layer.getIUpdater();
            }
        }
        return null;
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
