package io.sparkcnn.driver.config;

import io.sparkcnn.workers.model.ModelSpec;

import java.io.Serializable;

/** {@code model.*}: the preset name (or "custom") and the resolved layer list and optimizer. */
public record ModelConfig(String preset, ModelSpec spec) implements Serializable {
}
