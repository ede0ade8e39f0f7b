package io.sparkcnn.workers;

import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-channel input scaling fitted on the training split: min-max to [0,1] or standardization. Workers
 * apply it while building minibatches from 8-bit pixels; {@link #toDl4jNormalizer()} gives the
 * equivalent DL4J normalizer that is stored inside model.zip, so a plain DL4J program scales alike.
 */
public record FeatureScaling(Kind kind, double[] first, double[] second) implements Serializable {

    /** DL4J's normalizers floor a zero range or deviation at this value. */
    static final double EPS = 1e-5;

    public enum Kind {
        MINMAX, STANDARDIZE;

        public String configName() {
            return this == MINMAX ? "minmax" : "standardize";
        }
    }

    /** Min-max scaling to [0,1] with per-channel minimum and maximum. */
    public static FeatureScaling minMax(double[] min, double[] max) {
        return new FeatureScaling(Kind.MINMAX, min.clone(), max.clone());
    }

    /** Standardization with per-channel mean and standard deviation. */
    public static FeatureScaling standardize(double[] mean, double[] std) {
        return new FeatureScaling(Kind.STANDARDIZE, mean.clone(), std.clone());
    }

    public int channels() {
        return first.length;
    }

    /** Offset subtracted from channel c. */
    public float offset(int c) {
        return (float) first[c];
    }

    /** Factor applied after the offset for channel c. */
    public float factor(int c) {
        double spread = kind == Kind.MINMAX ? second[c] - first[c] : second[c];
        return (float) (1.0 / Math.max(spread, EPS));
    }

    /** The DL4J normalizer that performs the same transformation on NCHW features. */
    public DataNormalization toDl4jNormalizer() {
        if (kind == Kind.MINMAX) {
            NormalizerMinMaxScaler scaler = new NormalizerMinMaxScaler(0.0, 1.0);
            scaler.setFeatureStats(Nd4j.create(first).reshape(1, first.length).castTo(Nd4j.dataType()),
                    Nd4j.create(second).reshape(1, second.length).castTo(Nd4j.dataType()));
            return scaler;
        }
        return new NormalizerStandardize(Nd4j.create(first).reshape(1, first.length).castTo(Nd4j.dataType()),
                Nd4j.create(second).reshape(1, second.length).castTo(Nd4j.dataType()));
    }

    /** The inverse of {@link #toDl4jNormalizer()}: reads the per-channel statistics of a stored normalizer. */
    public static FeatureScaling fromDl4jNormalizer(DataNormalization normalizer) {
        if (normalizer instanceof NormalizerMinMaxScaler scaler) {
            return minMax(scaler.getMin().toDoubleVector(), scaler.getMax().toDoubleVector());
        }
        if (normalizer instanceof NormalizerStandardize standardize) {
            return standardize(standardize.getMean().toDoubleVector(), standardize.getStd().toDoubleVector());
        }
        throw new IllegalArgumentException("unsupported normalizer " + (normalizer == null ? "(none)"
                : normalizer.getClass().getSimpleName()) + ": expected min-max or standardize");
    }

    @Override
    public String toString() {
        return kind.configName() + (kind == Kind.MINMAX ? " min=" : " mean=") + Arrays.toString(first)
                + (kind == Kind.MINMAX ? " max=" : " std=") + Arrays.toString(second);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureScaling other && kind == other.kind && Arrays.equals(first, other.first)
                && Arrays.equals(second, other.second);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + Arrays.hashCode(first)) + Arrays.hashCode(second);
    }
}
