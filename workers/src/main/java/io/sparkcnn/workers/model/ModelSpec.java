package io.sparkcnn.workers.model;

import java.io.Serializable;
import java.util.List;

/**
 * Everything needed to build the network: layers and optimisation settings. {@code l2} is the coupled
 * penalty (Keras' kernel_regularizer: added to the loss and its gradient); {@code weightDecay} the decoupled
 * one (AdamW/SGDW: w -= lr * weightDecay * w after the optimizer's step, nothing added to the loss).
 */
public record ModelSpec(List<LayerSpec> layers, Optimizer optimizer, double learningRate, double momentum,
                        WeightInitKind weightInit, double l2, long seed, double weightDecay) implements Serializable {

    public ModelSpec {
        layers = List.copyOf(layers);
    }

    /** Without decoupled weight decay. */
    public ModelSpec(List<LayerSpec> layers, Optimizer optimizer, double learningRate, double momentum,
                     WeightInitKind weightInit, double l2, long seed) {
        this(layers, optimizer, learningRate, momentum, weightInit, l2, seed, 0.0);
    }

    public enum WeightInitKind { XAVIER, HE }
}
