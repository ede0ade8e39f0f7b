package io.sparkcnn.driver.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Where the epoch loop stands after {@code epoch} complete epochs: everything besides the network's own
 * weights and updater state that a resumed run needs to continue exactly as an uninterrupted one.
 * {@code bestParams}/{@code bestUpdater} are the restore-best-weights copy (null when restoring is off or no
 * epoch improved yet). {@code stopReason} is set once the loop decided to stop.
 */
public record TrainingState(int epoch, List<EpochRecord> history, EarlyStopping.State stopping,
                            TrainingOutcome.StopReason stopReason, INDArray bestParams, INDArray bestUpdater) {

    public TrainingState {
        history = List.copyOf(history);
    }

    public boolean finished(int maxEpochs) {
        return stopReason != null || epoch >= maxEpochs;
    }
}
