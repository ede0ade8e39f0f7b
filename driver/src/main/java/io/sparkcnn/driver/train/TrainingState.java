package io.sparkcnn.driver.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Where the epoch loop stands after {@code epoch} complete epochs: everything besides the network's own
 * weights and updater state that a resumed run needs to continue exactly as an uninterrupted one.
 * {@code bestParams}/{@code bestUpdater} are the restore-best-weights copy (null when restoring is off or no
 * epoch improved yet). {@code stopReason} is set once the loop decided to stop. {@code plateau} is
 * ReduceLROnPlateau's state (null in a checkpoint written before it existed: nothing reduced yet); the
 * schedule itself needs no state, it is a function of the epoch.
 */
public record TrainingState(int epoch, List<EpochRecord> history, EarlyStopping.State stopping,
                            TrainingOutcome.StopReason stopReason, INDArray bestParams, INDArray bestUpdater,
                            ReduceLrOnPlateau.State plateau) {

    public TrainingState {
        history = List.copyOf(history);
    }

    /** Without ReduceLROnPlateau state. */
    public TrainingState(int epoch, List<EpochRecord> history, EarlyStopping.State stopping,
                         TrainingOutcome.StopReason stopReason, INDArray bestParams, INDArray bestUpdater) {
        this(epoch, history, stopping, stopReason, bestParams, bestUpdater, null);
    }

    public boolean finished(int maxEpochs) {
        return stopReason != null || epoch >= maxEpochs;
    }
}
