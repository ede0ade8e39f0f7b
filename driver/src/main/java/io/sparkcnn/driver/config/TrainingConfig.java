package io.sparkcnn.driver.config;

import java.io.Serializable;

/** {@code training.*}: parameter averaging and the epoch loop. */
public record TrainingConfig(int batchSizePerWorker, int averagingFrequency, int prefetch, int workers,
                             int maxEpochs, double maxMinutes, EarlyStoppingConfig earlyStopping, int threadsPerWorker)
        implements Serializable {
}
