package io.sparkcnn.driver.config;

import java.io.Serializable;

/**
 * The train job's whole configuration, immutable and validated. {@code resolved} is the HOCON it came
 * from, with defaults filled in, as recorded in manifest.json.
 */
public record TrainConfig(DataConfig data, ModelConfig model, TrainingConfig training, OutputConfig output,
                          String resolved) implements Serializable {

    public TrainConfig withOutput(OutputConfig newOutput) {
        return new TrainConfig(data, model, training, newOutput, resolved);
    }
}
