package io.sparkcnn.driver.inference;

import io.sparkcnn.workers.ImageShape;

import java.io.Serializable;
import java.util.List;

/**
 * The predict job's config: a model, the images (folders, listed recursively, or image URIs; plus text
 * files listing one URI per line), the output folder. {@code shape} null means the model's own.
 */
public record PredictConfig(String model, List<String> inputs, List<String> inputLists, ImageShape shape,
                            int partitions, String output, boolean overwrite) implements Serializable {
    public PredictConfig {
        inputs = List.copyOf(inputs);
        inputLists = List.copyOf(inputLists);
    }
}
