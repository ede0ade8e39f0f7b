package io.sparkcnn.driver.config;

import java.io.Serializable;

/**
 * The retrain job's whole configuration: what to train ({@code train}, whose output path is set per run
 * inside the registry), the registry and its promotion rule, and whether to start from the champion's weights.
 */
public record RetrainConfig(TrainJobConfig train, RegistryConfig registry, boolean fromScratch) implements Serializable {
}
