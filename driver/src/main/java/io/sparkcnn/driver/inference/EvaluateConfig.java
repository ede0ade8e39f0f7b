package io.sparkcnn.driver.inference;

import io.sparkcnn.driver.config.DataConfig;

import java.io.Serializable;

/**
 * The evaluate job's config. {@code data} null means the model's own run: its recorded config is re-read and
 * its test split re-cut (the split is seeded, so it is the same images). Otherwise {@code split} says whether
 * every image of {@code data} is evaluated ({@code ALL}) or only the test split the train job would cut.
 * {@code shapeSet}: the user set data.height/width/channels (they must then match the model).
 */
public record EvaluateConfig(String model, DataConfig data, boolean shapeSet, Split split, String output,
                             boolean overwrite) implements Serializable {
    public enum Split { ALL, TEST }
}
