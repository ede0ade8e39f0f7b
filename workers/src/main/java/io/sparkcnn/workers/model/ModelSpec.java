package io.sparkcnn.workers.model;

import java.io.Serializable;
import java.util.List;

/** Everything needed to build the network: layers and optimisation settings. */
public record ModelSpec(List<LayerSpec> layers, Optimizer optimizer, double learningRate, double momentum,
                        WeightInitKind weightInit, double l2, long seed) implements Serializable {

    public ModelSpec {
        layers = List.copyOf(layers);
    }

    public enum WeightInitKind { XAVIER, HE }
}
