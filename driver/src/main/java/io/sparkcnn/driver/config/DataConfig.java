package io.sparkcnn.driver.config;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.Augmentation;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;

import java.io.Serializable;
import java.util.List;

/**
 * {@code data.*}: where the images are, their shape, the split and the scaling, and how training images are
 * augmented ({@code data.augment.*}).
 */
public record DataConfig(Format format, String path, String testPath, String idxTrainImages, String idxTrainLabels,
                         String idxTestImages, String idxTestLabels, List<String> classNames, ImageShape shape,
                         double validationFraction, double testFraction, long seed,
                         FeatureScaling.Kind scaling, int partitions, int maxTrainImages, long maxImagePixels,
                         Augmentation augment)
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
        return new DataConfig(format, path, testPath, idxTrainImages, idxTrainLabels, idxTestImages, idxTestLabels, classNames,
                newShape, validationFraction, testFraction, seed, scaling, partitions, maxTrainImages, maxImagePixels,
                augment);
    }

    /** True when the test images come from their own folder or IDX files, not from a fraction of the training data. */
    public boolean hasSeparateTestSet() {
        return format == Format.IDX ? !idxTestImages.isEmpty() : !testPath.isEmpty();
    }

    /** {@code data.channels}: how many channels the decoder produces. */
    public enum Channels {
        GRAY(1), RGB(3);

        private final int count;

        Channels(int count) {
            this.count = count;
        }

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Parses and checks {@code data.*} (input paths are checked later, after every value). */
    static DataConfig from(ConfigReader r) {
        Channels channels = r.choice("data.channels", Channels.values(), Channels::configName);
        int height = r.intAtLeast("data.height", 1);
        int width = r.intAtLeast("data.width", 1);
        ImageShape shape = new ImageShape(channels.count, height, width);
        Format format = r.choice("data.format", Format.values(), Format::configName);
        double valFraction = r.fraction("data.validation-fraction");
        double testFraction = r.fraction("data.test-fraction");
        if (valFraction + testFraction >= 1.0) {
            throw new InvalidInputException("data.validation-fraction + data.test-fraction must be below 1, got "
                    + valFraction + " + " + testFraction);
        }
        if (valFraction <= 0) {
            throw new InvalidInputException("data.validation-fraction must be above 0 (early stopping needs a validation split), got "
                    + valFraction);
        }
        return new DataConfig(format, r.string("data.path"), r.string("data.test-path"),
                r.string("data.idx-train-images"), r.string("data.idx-train-labels"),
                r.string("data.idx-test-images"), r.string("data.idx-test-labels"),
                r.stringList("data.class-names"), shape, valFraction, testFraction, r.longValue("data.seed"),
                r.choice("data.scaling", FeatureScaling.Kind.values(), FeatureScaling.Kind::configName),
                r.intAtLeast("data.partitions", 0), r.intAtLeast("data.max-train-images", 0),
                r.longAtLeast("data.max-image-pixels", 1), augmentation(r, shape));
    }

    /** {@code data.augment.*}; each bound is checked here so the error names the key and the value. */
    static Augmentation augmentation(ConfigReader r, ImageShape shape) {
        boolean flip = r.bool("data.augment.horizontal-flip");
        int padding = r.intAtLeast("data.augment.crop-padding", 0);
        if (padding >= Math.min(shape.height(), shape.width())) {
            throw new InvalidInputException("data.augment.crop-padding must be below data.height and data.width ("
                    + shape.height() + "x" + shape.width() + "), got " + padding);
        }
        double translate = r.fraction("data.augment.translate");
        double rotation = r.nonNegative("data.augment.rotation");
        if (rotation > 180) {
            throw new InvalidInputException("data.augment.rotation must be in [0, 180] degrees, got " + rotation);
        }
        return new Augmentation(flip, padding, translate, rotation, r.nonNegative("data.augment.brightness"),
                r.nonNegative("data.augment.contrast"));
    }

    /** Fails naming the key when the input this format needs is not set. */
    void requireInputs() {
        if (format == Format.IMAGE_FOLDER) {
            if (path.isBlank()) {
                throw new InvalidInputException("data.path must name the image folder when data.format = image-folder");
            }
            return;
        }
        if (!testPath.isBlank()) {
            throw new InvalidInputException("data.test-path is for data.format = image-folder; IDX data names its test"
                    + " set with data.idx-test-images and data.idx-test-labels");
        }
        if (idxTrainImages.isBlank() || idxTrainLabels.isBlank()) {
            throw new InvalidInputException("data.idx-train-images and data.idx-train-labels must be set when data.format = idx");
        }
        if (idxTestImages.isBlank() != idxTestLabels.isBlank()) {
            throw new InvalidInputException("data.idx-test-images and data.idx-test-labels must be set together");
        }
    }
}
