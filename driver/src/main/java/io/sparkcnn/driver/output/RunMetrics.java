package io.sparkcnn.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.train.EpochRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * metrics.json of a run folder, written by the train job and read by evaluate and retrain: the per-epoch
 * history with Keras' names, the early-stopping outcome, the faults Spark retried and the test figures.
 * Field by field: docs/outputs.md.
 */
public record RunMetrics(String formatVersion, List<Epoch> history, String monitor, int bestEpoch, double bestValue,
                         String stopReason, int stoppedEpoch, boolean restoredBestWeights, double trainSeconds,
                         int workers, int resumedFromEpoch, Faults faults, Test test) {

    /**
     * One epoch: training loss, validation loss and accuracy, seconds, images/s, whether the monitor improved, and
     * the learning rate it trained with (null when unknown: AdaDelta, or a file written before it was recorded).
     */
    public record Epoch(int epoch, double loss, double valLoss, double valAccuracy, double seconds,
                        double imagesPerSecond, boolean improved, Double learningRate) {
        static Epoch of(EpochRecord r) {
            return new Epoch(r.epoch(), r.loss(), r.valLoss(), r.valAccuracy(), r.seconds(), r.imagesPerSecond(),
                    r.improved(), Double.isNaN(r.learningRate()) ? null : r.learningRate());
        }

        EpochRecord toRecord() {
            return new EpochRecord(epoch, loss, valLoss, valAccuracy, seconds, imagesPerSecond, 0, improved,
                    learningRate == null ? Double.NaN : learningRate);
        }
    }

    /** What Spark retried, from decoding to the test evaluation. */
    public record Faults(int failedTaskAttempts, int executorsLost, Map<String, Integer> reasons) {
    }

    /** The final model on the test split; confusion_matrix[actual][predicted]. */
    public record Test(double loss, double accuracy, double top2Accuracy, long images, long[][] confusionMatrix,
                       List<String> classNames) {
    }

    public RunMetrics {
        formatVersion = formatVersion == null ? JsonFormat.CURRENT : formatVersion;
        history = history == null ? List.of() : history;
    }

    /** Metrics of {@code history} (the loop's records) with the current format version. */
    public static List<Epoch> epochs(List<EpochRecord> history) {
        return history.stream().map(Epoch::of).toList();
    }

    /** The history as the training loop's records (train images unknown: 0). */
    public List<EpochRecord> records() {
        List<EpochRecord> out = new ArrayList<>();
        for (Epoch e : history) {
            out.add(e.toRecord());
        }
        return out;
    }

    public String toJson() {
        return JsonFormat.write(this);
    }

    /** Reads metrics.json; unknown fields are ignored, a newer major format is refused naming {@code source}. */
    public static RunMetrics fromJson(JsonNode json, String source) {
        return JsonFormat.read(json, RunMetrics.class, source);
    }
}
