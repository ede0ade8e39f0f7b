package io.sparkcnn.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.workers.ImageShape;

import java.util.List;
import java.util.Map;

/**
 * manifest.json of a run folder, its provenance (as Spark ML's metadata and Tribuo's provenance): the resolved
 * config and its fingerprint, seeds, versions, the backend and layer helpers, the Spark application, the dataset
 * (sources, fingerprint, class names, input shape, counts, scaling, skipped files), the model, a warm start and
 * what set the training minibatches apart (augmentation, label smoothing).
 * Written by the train job, read by evaluate, predict and retrain. Field by field: docs/outputs.md.
 */
public record RunManifest(String formatVersion, String created, String started, JsonNode config,
                          String configFingerprint, Seeds seed, Map<String, String> versions, String backend,
                          JsonNode layerHelpers, Spark spark, Dataset dataset, Model model, WarmStart warmStart,
                          TrainingBatches trainingBatches) {

    public record Seeds(long data, long model) {
    }

    /**
     * The Spark application that trained: master, app id, parallelism, executors, training partitions; where the
     * driver ran: deploy mode, the application attempt (YARN starts a second one when the first driver dies), the
     * driver's host and its YARN container (null outside YARN).
     */
    public record Spark(String master, String applicationId, int defaultParallelism, int executors,
                        int trainingPartitions, String deployMode, String attemptId, String driverHost,
                        String driverContainer) {
    }

    public record Dataset(String format, List<String> sources, String fingerprint, List<String> classNames,
                          InputShape inputShape, Map<String, SplitCount> counts, JsonNode scaling, int skippedCount,
                          List<Skipped> skipped) {
    }

    public record InputShape(int height, int width, int channels) {
        public static InputShape of(ImageShape s) {
            return new InputShape(s.height(), s.width(), s.channels());
        }

        public ImageShape toShape() {
            return new ImageShape(channels, height, width);
        }
    }

    /** Images of one split, in total and per class name. */
    public record SplitCount(long total, Map<String, Long> perClass) {
    }

    public record Skipped(String path, String split, String reason) {
    }

    public record Model(String preset, long totalParams, long trainableParams) {
    }

    /** The champion a retrain run started from. */
    public record WarmStart(String from, String modelFingerprint) {
    }

    /**
     * How the training minibatches differed from the images evaluation saw: {@code data.augment.*} (with a sentence
     * saying what was applied, in order) and {@code model.label-smoothing}. Null in manifests written before them.
     */
    public record TrainingBatches(String description, Augmentation augmentation, double labelSmoothing) {
        public static TrainingBatches of(io.sparkcnn.workers.TrainingBatches t) {
            io.sparkcnn.workers.Augmentation a = t.augmentation();
            return new TrainingBatches(t.describe(), new Augmentation(a.horizontalFlip(), a.cropPadding(), a.translate(),
                    a.rotation(), a.brightness(), a.contrast()), t.labelSmoothing());
        }
    }

    /** {@code data.augment.*} as applied; {@code rotation} in degrees. */
    public record Augmentation(boolean horizontalFlip, int cropPadding, double translate, double rotation,
                               double brightness, double contrast) {
    }

    public RunManifest {
        formatVersion = formatVersion == null ? JsonFormat.CURRENT : formatVersion;
    }

    public String toJson() {
        return JsonFormat.write(this);
    }

    /** Reads manifest.json; unknown fields are ignored, a newer major format is refused naming {@code source}. */
    public static RunManifest fromJson(JsonNode json, String source) {
        return JsonFormat.read(json, RunManifest.class, source);
    }
}
