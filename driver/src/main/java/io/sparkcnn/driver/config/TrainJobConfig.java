package io.sparkcnn.driver.config;

import java.io.Serializable;

/**
 * The train job's whole configuration, immutable and validated. {@code resolved} is the HOCON it came
 * from, with defaults filled in, as recorded in manifest.json.
 */
public record TrainJobConfig(DataConfig data, ModelConfig model, TrainingConfig training, OutputConfig output,
                          String resolved) implements Serializable {

    public TrainJobConfig withOutput(OutputConfig newOutput) {
        return new TrainJobConfig(data, model, training, newOutput, resolved);
    }
}
