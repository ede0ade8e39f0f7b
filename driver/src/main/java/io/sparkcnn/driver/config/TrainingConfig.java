package io.sparkcnn.driver.config;

import io.sparkcnn.driver.common.InvalidInputException;

import java.io.Serializable;
import java.time.Duration;

/** {@code training.*}: parameter averaging and the epoch loop. */
public record TrainingConfig(int batchSizePerWorker, int averagingFrequency, int prefetch, int workers,
                             int maxEpochs, double maxMinutes, EarlyStoppingConfig earlyStopping, int threadsPerWorker,
                             boolean progress, Duration progressInterval, ReduceLrOnPlateauConfig reduceLrOnPlateau)
        implements Serializable {

    /** Without ReduceLROnPlateau, with reference.conf's progress lines (tests that build a config by hand). */
    public TrainingConfig(int batchSizePerWorker, int averagingFrequency, int prefetch, int workers, int maxEpochs,
                          double maxMinutes, EarlyStoppingConfig earlyStopping, int threadsPerWorker) {
        this(batchSizePerWorker, averagingFrequency, prefetch, workers, maxEpochs, maxMinutes, earlyStopping,
                threadsPerWorker, true, Duration.ofSeconds(15));
    }

    /** Without ReduceLROnPlateau. */
    public TrainingConfig(int batchSizePerWorker, int averagingFrequency, int prefetch, int workers, int maxEpochs,
                          double maxMinutes, EarlyStoppingConfig earlyStopping, int threadsPerWorker, boolean progress,
                          Duration progressInterval) {
        this(batchSizePerWorker, averagingFrequency, prefetch, workers, maxEpochs, maxMinutes, earlyStopping,
                threadsPerWorker, progress, progressInterval, ReduceLrOnPlateauConfig.disabled());
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
                r.bool("training.progress"),
                progressInterval(r),
                ReduceLrOnPlateauConfig.from(r));
    }

    private static Duration progressInterval(ConfigReader r) {
        Duration d = r.duration("training.progress-interval", "\"15 seconds\" or \"1m\"");
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidInputException("training.progress-interval must be at least 1 second, got "
                    + d.toMillis() + " ms");
        }
        return d;
    }
}
