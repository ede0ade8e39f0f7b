package io.sparkcnn.driver.config;

import io.sparkcnn.driver.common.InvalidInputException;

import java.io.Serializable;

/**
 * {@code training.reduce-lr-on-plateau.*}, with Keras' ReduceLROnPlateau meanings and defaults; the mode
 * follows the monitor (val_loss: lower is better, val_accuracy: higher).
 */
public record ReduceLrOnPlateauConfig(boolean enabled, EarlyStoppingConfig.Monitor monitor, double factor,
                                      int patience, double minDelta, double minLr, int cooldown)
        implements Serializable {

    /** Off: what every run did before it existed. */
    public static ReduceLrOnPlateauConfig disabled() {
        return new ReduceLrOnPlateauConfig(false, EarlyStoppingConfig.Monitor.VAL_LOSS, 0.1, 10, 1e-4, 0, 0);
    }

    static ReduceLrOnPlateauConfig from(ConfigReader r) {
        boolean enabled = r.bool("training.reduce-lr-on-plateau.enabled");
        EarlyStoppingConfig.Monitor monitor = r.choice("training.reduce-lr-on-plateau.monitor",
                EarlyStoppingConfig.Monitor.values(), EarlyStoppingConfig.Monitor::configName);
        double factor = r.positive("training.reduce-lr-on-plateau.factor");
        if (factor >= 1) {
            // Keras raises the same: a factor of 1 or more would never reduce
            throw new InvalidInputException("training.reduce-lr-on-plateau.factor must be below 1 (the rate is"
                    + " multiplied by it), got " + factor);
        }
        return new ReduceLrOnPlateauConfig(enabled, monitor, factor,
                r.intAtLeast("training.reduce-lr-on-plateau.patience", 0),
                r.nonNegative("training.reduce-lr-on-plateau.min-delta"),
                r.nonNegative("training.reduce-lr-on-plateau.min-lr"),
                r.intAtLeast("training.reduce-lr-on-plateau.cooldown", 0));
    }
}
