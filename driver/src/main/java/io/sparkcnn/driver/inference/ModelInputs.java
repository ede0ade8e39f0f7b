package io.sparkcnn.driver.inference;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.ImageShape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** Checks that a dataset fits a model before any image is decoded: input shape and class count. */
public final class ModelInputs {
    private ModelInputs() {
    }

    /** How a job lets the user set the input shape, as named in its errors. */
    public enum ShapeSetting {
        /** evaluate (and the config keys): data.height, data.width, data.channels */
        CONFIG("data.height, data.width and data.channels", "data.height/width/channels"),
        /** predict's options */
        PREDICT_OPTIONS("--height, --width and --channels (gray or rgb)", "--height/--width/--channels");

        final String all;
        final String shortly;

        ShapeSetting(String all, String shortly) {
            this.all = all;
            this.shortly = shortly;
        }
    }

    /**
     * The shape to decode images at: the model's (images are resized to it) unless the user set
     * data.height/width/channels, which must then match it. A model without a manifest needs them set,
     * and they are checked with one forward pass.
     */
    static ImageShape shape(LoadedModel model, ImageShape requested, boolean requestedExplicitly) {
        return shape(model, requested, requestedExplicitly, ShapeSetting.CONFIG);
    }

    /** As above; the errors name the keys or options of {@code setting}. */
    static ImageShape shape(LoadedModel model, ImageShape requested, boolean requestedExplicitly, ShapeSetting setting) {
        ImageShape trained = model.shape();
        if (trained != null) {
            if (requestedExplicitly && !trained.equals(requested)) {
                throw new InvalidInputException("model " + model.uri() + " takes " + describe(trained)
                        + " images but " + setting.shortly + " ask for " + describe(requested)
                        + "; leave them out to resize every image to the model's shape");
            }
            return trained;
        }
        if (!requestedExplicitly) {
            throw new InvalidInputException("model " + model.uri() + " has no manifest.json beside it, so its input shape"
                    + " is unknown: set " + setting.all);
        }
        try {
            model.network().output(Nd4j.zeros(1, requested.channels(), requested.height(), requested.width()), false);
        } catch (RuntimeException e) {
            throw new InvalidInputException("model " + model.uri() + " does not accept " + describe(requested)
                    + " input (" + setting.shortly + "): " + e.getMessage(), e);
        }
        return requested;
    }

    /**
     * Where each dataset class sits among the model's outputs. The counts must agree. Names are matched
     * ignoring case and punctuation ("T-shirt/top" is the folder "T-shirt-top", "Ankle boot" is "ankle_boot"):
     * image folders sort their classes by name, while a model trained on IDX files keeps label order. When the
     * model's names are unknown (a model.zip without manifest, or IDX labels without class-names) the dataset's
     * order is taken as the model's.
     */
    /** Where each dataset class sits among {@code modelClasses} (names known): matched by name, all must match. */
    public static int[] classMapping(List<String> modelClasses, List<String> datasetClasses, String datasetSource) {
        List<String> modelKeys = modelClasses.stream().map(ModelInputs::key).toList();
        List<String> unknown = datasetClasses.stream().filter(c -> !modelKeys.contains(key(c))).toList();
        if (datasetClasses.size() != modelClasses.size() || !unknown.isEmpty()) {
            throw new InvalidInputException("the dataset " + datasetSource + " has classes " + datasetClasses
                    + " but the model predicts " + modelClasses);
        }
        return datasetClasses.stream().mapToInt(c -> modelKeys.indexOf(key(c))).toArray();
    }

    public static int[] classMapping(LoadedModel model, List<String> datasetClasses, String datasetSource) {
        if (datasetClasses.size() != model.numClasses()) {
            throw new InvalidInputException("model " + model.uri() + " predicts " + model.numClasses() + " classes "
                    + model.classNames() + " but the dataset " + datasetSource + " has " + datasetClasses.size() + " "
                    + datasetClasses);
        }
        List<String> modelKeys = model.classNames().stream().map(ModelInputs::key).toList();
        int[] mapping = new int[datasetClasses.size()];
        List<String> unmatched = new java.util.ArrayList<>();
        for (int i = 0; i < mapping.length; i++) {
            mapping[i] = modelKeys.indexOf(key(datasetClasses.get(i)));
            if (mapping[i] < 0) {
                unmatched.add(datasetClasses.get(i));
            }
        }
        if (unmatched.isEmpty()) {
            return mapping;
        }
        if (!model.hasClassNames()) {
            return java.util.stream.IntStream.range(0, mapping.length).toArray();
        }
        throw new InvalidInputException("the dataset " + datasetSource + " has classes " + unmatched
                + " that model " + model.uri() + " does not know; its classes are " + model.classNames());
    }

    private static String key(String className) {
        return className.toLowerCase(java.util.Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
    }

    static String describe(ImageShape s) {
        return s.height() + "x" + s.width() + "x" + s.channels() + " (height x width x channels)";
    }
}
