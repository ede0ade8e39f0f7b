package io.sparkcnn.driver.train;

import io.sparkcnn.driver.config.ReduceLrOnPlateauConfig;

/**
 * Keras' ReduceLROnPlateau decision, epoch by epoch: an epoch improves when the monitored value beats the best
 * so far by more than min_delta (down for val_loss, up for val_accuracy); after {@code patience} epochs in a row
 * without improvement the rate is multiplied by {@code factor}, unless it is already at min_lr, and then
 * {@code cooldown} epochs pass during which the wait counter does not run. With a schedule the reductions
 * accumulate in a multiplier: the rate of epoch e is max(min_lr, schedule(e) * multiplier) (Keras would let a
 * LearningRateScheduler overwrite the reduced rate instead). Pure logic, tested on scripted sequences; its
 * {@link State} goes into every checkpoint so a resumed run reduces exactly when the uninterrupted one does.
 */
public final class ReduceLrOnPlateau {
    private final ReduceLrOnPlateauConfig config;
    private double multiplier = 1.0;
    private double best;
    private int wait;
    private int cooldownCounter;

    public ReduceLrOnPlateau(ReduceLrOnPlateauConfig config) {
        this.config = config;
        this.best = config.monitor().higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** What a checkpoint keeps: the product of the reductions so far and Keras' counters. */
    public record State(double multiplier, double best, int waited, int cooldownCounter) {
    }

    public State state() {
        return new State(multiplier, best, wait, cooldownCounter);
    }

    /** Continues from a checkpointed state (null: a checkpoint written before this existed, i.e. the start). */
    public void restore(State state) {
        if (state != null) {
            multiplier = state.multiplier();
            best = state.best();
            wait = state.waited();
            cooldownCounter = state.cooldownCounter();
        }
    }

    /** The learning rate of an epoch whose schedule gives {@code scheduled}. */
    public double apply(double scheduled) {
        return config.enabled() ? Math.max(config.minLr(), scheduled * multiplier) : scheduled;
    }

    /**
     * Keras' on_epoch_end for an epoch trained at {@code epochRate} whose monitored value is {@code value}; returns
     * true when it reduced the rate (the next epoch's rate is then lower). A NaN value never improves.
     */
    public boolean update(double value, double epochRate) {
        if (!config.enabled()) {
            return false;
        }
        if (inCooldown()) {
            cooldownCounter--;
            wait = 0;
        }
        boolean improved = config.monitor().higherIsBetter()
                ? value > best + config.minDelta()
                : value < best - config.minDelta();
        if (improved) {
            best = value;
            wait = 0;
        } else if (!inCooldown()) {
            wait++;
            if (wait >= config.patience() && epochRate > config.minLr()) {
                multiplier *= config.factor();
                cooldownCounter = config.cooldown();
                wait = 0;
                return true;
            }
        }
        return false;
    }

    private boolean inCooldown() {
        return cooldownCounter > 0;
    }

    public double multiplier() {
        return multiplier;
    }

    /** Epochs since the last improvement, as Keras counts them (not during cooldown). */
    public int waited() {
        return wait;
    }

    public ReduceLrOnPlateauConfig config() {
        return config;
    }
}
