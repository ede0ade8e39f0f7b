package io.sparkcnn.driver.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * {@code registry.*}: where the retrain job keeps its runs, the fixed holdout both models are scored on,
 * and the rule that lets a challenger replace the champion.
 */
public record RegistryConfig(String path, Metric metric, double minImprovement, double floor, DataConfig holdout,
                             Duration lockStaleAfter) implements Serializable {

    /** The holdout metric a promotion compares. */
    public enum Metric {
        ACCURACY("accuracy", true), MACRO_F1("macro_f1", true), LOSS("loss", false);

        private final String configName;
        private final boolean higherIsBetter;

        Metric(String configName, boolean higherIsBetter) {
            this.configName = configName;
            this.higherIsBetter = higherIsBetter;
        }

        public String configName() {
            return configName;
        }

        public boolean higherIsBetter() {
            return higherIsBetter;
        }

        /** How much better {@code challenger} is than {@code champion} (positive: better), in this metric's units. */
        public double gain(double challenger, double champion) {
            return higherIsBetter ? challenger - champion : champion - challenger;
        }
    }
}
