package io.sparkcnn.driver.config;

import java.io.Serializable;

/** {@code training.*}: parameter averaging and the epoch loop. */
public record TrainingConfig(int batchSizePerWorker, int averagingFrequency, int prefetch, int workers,
                             int maxEpochs, double maxMinutes, EarlyStoppingConfig earlyStopping, int threadsPerWorker,
                             ReduceLrOnPlateauConfig reduceLrOnPlateau)
        implements Serializable {

    /** Without ReduceLROnPlateau (tests that build a config by hand). */
    public TrainingConfig(int batchSizePerWorker, int averagingFrequency, int prefetch, int workers, int maxEpochs,
                          double maxMinutes, EarlyStoppingConfig earlyStopping, int threadsPerWorker) {
        this(batchSizePerWorker, averagingFrequency, prefetch, workers, maxEpochs, maxMinutes, earlyStopping,
                threadsPerWorker, ReduceLrOnPlateauConfig.disabled());
    }

    static TrainingConfig from(ConfigReader r) {
        return new TrainingConfig(
                r.intAtLeast("training.batch-size-per-worker", 1),
                r.intAtLeast("training.averaging-frequency", 1),
                r.intAtLeast("training.prefetch", 0),
                r.intAtLeast("training.workers", 0),
                r.intAtLeast("training.max-epochs", 1),
                r.nonNegative("training.max-minutes"),
                EarlyStoppingConfig.from(r),
                r.intAtLeast("training.threads-per-worker", 0),
                ReduceLrOnPlateauConfig.from(r));
    }
}
