package io.sparkcnn.workers.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * SGD with classical (heavy-ball) momentum, as PyTorch's {@code SGD(momentum=m)} and Keras'
 * {@code SGD(momentum=m)}: v = m*v + lr*g, w -= v. DL4J only ships the Nesterov variant.
 */
public class ClassicMomentum implements IUpdater {
    private static final long serialVersionUID = 1L;
    public static final String V_STATE = "V";

    private double learningRate;
    private double momentum;

    public ClassicMomentum() {
        this(0.01, 0.9);
    }

    public ClassicMomentum(double learningRate, double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public double getLearningRate() {
        return learningRate;
    }

    public void setLearningRate(double learningRate) {
        this.learningRate = learningRate;
    }

    public double getMomentum() {
        return momentum;
    }

    public void setMomentum(double momentum) {
        this.momentum = momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater updater = new Updater(this);
        updater.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater updater = new Updater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public ClassicMomentum clone() {
        return new ClassicMomentum(learningRate, momentum);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (lrSchedule != null) {
            throw new UnsupportedOperationException("learning-rate schedules are not supported by momentum");
        }
        this.learningRate = lr;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassicMomentum other && other.learningRate == learningRate && other.momentum == momentum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum);
    }

    @Override
    public String toString() {
        return "ClassicMomentum(learningRate=" + learningRate + ", momentum=" + momentum + ")";
    }

    /** Holds the velocity in a view of the network's updater state, so it is saved and averaged with it. */
    static final class Updater implements GradientUpdater<ClassicMomentum> {
        private final ClassicMomentum config;
        private INDArray velocity;

        Updater(ClassicMomentum config) {
            this.config = config;
        }

        @Override
        public ClassicMomentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            INDArray v = state.get(V_STATE);
            if (v == null) {
                throw new IllegalStateException("momentum state has no '" + V_STATE + "' array");
            }
            this.velocity = v;
            if (initialize) {
                velocity.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Collections.singletonMap(V_STATE, velocity);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            this.velocity = viewArray.reshape(gradientOrder, gradientShape);
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            if (velocity == null) {
                throw new IllegalStateException("momentum updater has no state view");
            }
            // v = m*v + lr*g; DL4J subtracts the returned gradient from the parameters
            velocity.muli(config.momentum).addi(gradient.mul(config.getLearningRate(iteration, epoch)));
            gradient.assign(velocity);
        }
    }
}
