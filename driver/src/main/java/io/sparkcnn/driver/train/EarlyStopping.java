package io.sparkcnn.driver.train;

import io.sparkcnn.driver.config.EarlyStoppingConfig;

/**
 * Keras' EarlyStopping decision: an epoch improves when the monitored value beats the best so far by
 * more than {@code min_delta} (down for val_loss, up for val_accuracy); training stops once
 * {@code patience} epochs in a row have not improved. Pure logic, so it is tested on scripted sequences.
 */
public final class EarlyStopping {
    private final EarlyStoppingConfig config;
    private double best;
    private int bestEpoch = -1;
    private int wait;
    private boolean stop;

    public EarlyStopping(EarlyStoppingConfig config) {
        this.config = config;
        this.best = config.monitor().higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** Records an epoch's monitored value; returns true when it is the new best. */
    public boolean update(int epoch, double value) {
        if (stop) {
            throw new IllegalStateException("early stopping already decided to stop at epoch " + epoch);
        }
        boolean improved = config.monitor().higherIsBetter()
                ? value - config.minDelta() > best
                : value + config.minDelta() < best;
        if (Double.isNaN(value)) {
            improved = false;
        }
        if (improved) {
            best = value;
            bestEpoch = epoch;
            wait = 0;
        } else {
            wait++;
            if (wait >= config.patience()) {
                stop = true;
            }
        }
        return improved;
    }

    /** What a checkpoint keeps so that a resumed run makes the same decisions. */
    public record State(double best, int bestEpoch, int waited, boolean stop) {
    }

    public State state() {
        return new State(best, bestEpoch, wait, stop);
    }

    /** Continues from a checkpointed state (same config assumed: the checkpoint's fingerprint is checked first). */
    public void restore(State state) {
        best = state.best();
        bestEpoch = state.bestEpoch();
        wait = state.waited();
        stop = state.stop();
    }

    public boolean shouldStop() {
        return stop;
    }

    public double best() {
        return best;
    }

    /** The epoch (1-based) with the best value, or -1 before any. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Epochs since the last improvement. */
    public int waited() {
        return wait;
    }
}
