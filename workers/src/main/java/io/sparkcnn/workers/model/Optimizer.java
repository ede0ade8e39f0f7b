package io.sparkcnn.workers.model;

/** The optimizers a Keras or PyTorch user expects, by their usual names. */
public enum Optimizer {
    SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADADELTA, ADAM;

    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
