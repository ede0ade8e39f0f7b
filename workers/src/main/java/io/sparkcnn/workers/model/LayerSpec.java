package io.sparkcnn.workers.model;

import java.io.Serializable;

/** One layer of a CNN as a Keras user describes it. */
public sealed interface LayerSpec extends Serializable {

    /** Conv2D: filters, square kernel and stride, padding "same" or "valid". */
    record Conv2D(int filters, int kernel, int stride, Padding padding, Activation activation) implements LayerSpec {
    }

    /** MaxPooling2D / AveragePooling2D (padding "valid", as Keras' default). */
    record Pool(PoolType type, int size, int stride) implements LayerSpec {
    }

    /** BatchNormalization. */
    record BatchNorm() implements LayerSpec {
    }

    /** Dropout; {@code rate} is the fraction dropped, as in Keras. */
    record Dropout(double rate) implements LayerSpec {
    }

    /** Dense (fully connected). */
    record Dense(int units, Activation activation) implements LayerSpec {
    }

    /** Softmax output with categorical cross-entropy; its width is the number of classes. */
    record Output() implements LayerSpec {
    }

    enum Padding { SAME, VALID }

    enum PoolType { MAX, AVG }

    enum Activation { RELU, LEAKYRELU, ELU, TANH, SIGMOID, IDENTITY }
}
