package io.sparkcnn.driver.config;

import io.sparkcnn.driver.common.InvalidInputException;

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

    /** Parses and checks {@code registry.*}; the holdout is read like {@code train}'s data. */
    static RegistryConfig from(ConfigReader r, DataConfig train) {
        String path = r.string("registry.path");
        if (path.isBlank()) {
            throw new InvalidInputException("registry.path must name the registry root (e.g. hdfs:///models/fashion)");
        }
        Metric m = r.choice("registry.metric", Metric.values(), Metric::configName);
        double minImprovement = r.nonNegative("registry.min-improvement");
        double floor = m == Metric.LOSS ? r.nonNegative("registry.floor") : r.fractionInclusive("registry.floor");
        Duration staleAfter = r.duration("registry.lock-stale-after", "\"10 minutes\" or \"30s\"");
        if (staleAfter.toMillis() < 1000) {
            throw new InvalidInputException("registry.lock-stale-after must be at least 1 second, got " + staleAfter);
        }
        boolean idx = r.choice("registry.holdout.format", DataConfig.Format.values(), DataConfig.Format::configName)
                == DataConfig.Format.IDX;
        DataConfig holdout = new DataConfig(idx ? DataConfig.Format.IDX : DataConfig.Format.IMAGE_FOLDER,
                r.string("registry.holdout.path"), "", r.string("registry.holdout.idx-images"),
                r.string("registry.holdout.idx-labels"), "", "", train.classNames(), train.shape(),
                train.validationFraction(), train.testFraction(), train.seed(), train.scaling(), train.partitions(), 0,
                train.maxImagePixels(), io.sparkcnn.workers.Augmentation.NONE); // the holdout is only scored
        if (idx ? holdout.idxTrainImages().isBlank() || holdout.idxTrainLabels().isBlank() : holdout.path().isBlank()) {
            throw new InvalidInputException(idx ? "registry.holdout.idx-images and registry.holdout.idx-labels must name"
                    + " the fixed holdout set when registry.holdout.format = idx"
                    : "registry.holdout.path must name the fixed holdout image folder both models are scored on");
        }
        return new RegistryConfig(path, m, minImprovement, floor, holdout, staleAfter);
    }
}
