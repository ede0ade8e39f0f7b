package io.sparkcnn.driver.config;

import java.io.Serializable;

/** {@code training.early-stopping.*}, with Keras' EarlyStopping meanings. */
public record EarlyStoppingConfig(Monitor monitor, double minDelta, int patience, boolean restoreBestWeights)
        implements Serializable {

    public enum Monitor {
        VAL_LOSS("val_loss", false), VAL_ACCURACY("val_accuracy", true);

        private final String configName;
        private final boolean higherIsBetter;

        Monitor(String configName, boolean higherIsBetter) {
            this.configName = configName;
            this.higherIsBetter = higherIsBetter;
        }

        public String configName() {
            return configName;
        }

        public boolean higherIsBetter() {
            return higherIsBetter;
        }
    }

    static EarlyStoppingConfig from(ConfigReader r) {
        return new EarlyStoppingConfig(
                r.choice("training.early-stopping.monitor", Monitor.values(), Monitor::configName),
                r.nonNegative("training.early-stopping.min-delta"),
                r.intAtLeast("training.early-stopping.patience", 1),
                r.bool("training.early-stopping.restore-best-weights"));
    }
}
