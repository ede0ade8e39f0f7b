package io.sparkcnn.driver.config;

import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;

import java.io.Serializable;
import java.util.List;

/** {@code data.*}: where the images are, their shape, the split and the scaling. */
public record DataConfig(Format format, String path, String idxTrainImages, String idxTrainLabels,
                         String idxTestImages, String idxTestLabels, List<String> classNames, ImageShape shape,
                         double validationFraction, double testFraction, long seed,
                         FeatureScaling.Kind scaling, int partitions, int maxTrainImages, long maxImagePixels)
        implements Serializable {

    public DataConfig {
        classNames = List.copyOf(classNames);
    }

    public enum Format {
        IMAGE_FOLDER("image-folder"), IDX("idx");

        private final String configName;

        Format(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /** The same data read at another input shape (evaluate and predict use the model's). */
    public DataConfig withShape(ImageShape newShape) {
        return new DataConfig(format, path, idxTrainImages, idxTrainLabels, idxTestImages, idxTestLabels, classNames,
                newShape, validationFraction, testFraction, seed, scaling, partitions, maxTrainImages, maxImagePixels);
    }

    public boolean hasSeparateTestSet() {
        return format == Format.IDX && !idxTestImages.isEmpty();
    }
}
