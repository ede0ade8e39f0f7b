package io.sparkcnn.workers.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Objects;

/**
 * Decoupled weight decay as PyTorch's AdamW (and SGDW): after the optimizer's step, w -= lr * coefficient * w,
 * with lr the rate the updater uses in that step (so a learning-rate schedule scales the decay too). It is
 * DL4J's {@code WeightDecay(coefficient, applyLR = true)} step without its score: DL4J's adds
 * 0.5 * coefficient * |w|^2 to the loss (and so to val_loss, which early stopping watches) although the
 * decay never came from a loss term; AdamW's loss has no such term. DL4J applies it to weights only: a
 * layer's regularization list is used for its weight parameters, biases have their own (empty) list and
 * batch normalization none.
 */
public class DecoupledWeightDecay implements Regularization {
    private static final long serialVersionUID = 1L;

    private double coefficient;

    /** For DL4J's JSON reader, which sets the field. */
    public DecoupledWeightDecay() {
        this(0);
    }

    public DecoupledWeightDecay(double coefficient) {
        this.coefficient = coefficient;
    }

    public double getCoefficient() {
        return coefficient;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.POST_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray update, double lr, int iteration, int epoch) {
        // DL4J subtracts the update from the parameters: update += lr * coefficient * w
        Nd4j.exec(new Axpy(param, update, update, lr * coefficient));
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0; // decoupled: nothing is added to the loss
    }

    @Override
    public Regularization clone() {
        return new DecoupledWeightDecay(coefficient);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecoupledWeightDecay other && other.coefficient == coefficient;
    }

    @Override
    public int hashCode() {
        return Objects.hash(coefficient);
    }

    @Override
    public String toString() {
        return "DecoupledWeightDecay(coefficient=" + coefficient + ")";
    }
}
