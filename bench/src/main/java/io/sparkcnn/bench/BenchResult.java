package io.sparkcnn.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark mode's figures, written as JSON (the PyTorch script writes the same keys): per-epoch
 * training seconds, images/s and test accuracy; the median images/s after the first (warm-up) epoch;
 * the training seconds until test accuracy first reached the target; peak memory.
 */
final class BenchResult {
    final Map<String, Object> json = new LinkedHashMap<>();
    private final List<Map<String, Object>> epochs = new ArrayList<>();

    BenchResult(String name, String mode) {
        json.put("name", name);
        json.put("mode", mode);
        json.put("epochs", epochs);
    }

    BenchResult put(String key, Object value) {
        json.put(key, value);
        return this;
    }

    void epoch(int epoch, double trainSeconds, long images, double testAccuracy) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("epoch", epoch);
        e.put("train_seconds", trainSeconds);
        e.put("images_per_second", images / trainSeconds);
        e.put("test_accuracy", testAccuracy);
        epochs.add(e);
    }

    /** "0.80": the key of a target accuracy in seconds_to_targets (the PyTorch script writes the same). */
    static String targetKey(double target) {
        return String.format(java.util.Locale.ROOT, "%.2f", target);
    }

    /** Fills the summary keys from the epochs: median after warm-up, time to target, final accuracy. */
    void summarize(List<Double> targets) {
        List<Double> rates = new ArrayList<>();
        double cumulative = 0;
        Map<String, Double> toTargets = new LinkedHashMap<>();
        for (double t : targets) {
            toTargets.put(targetKey(t), null);
        }
        for (Map<String, Object> e : epochs) {
            cumulative += (Double) e.get("train_seconds");
            e.put("elapsed_train_seconds", cumulative);
            for (double t : targets) {
                if (toTargets.get(targetKey(t)) == null && (Double) e.get("test_accuracy") >= t) {
                    toTargets.put(targetKey(t), cumulative);
                }
            }
            if ((Integer) e.get("epoch") > 1 || epochs.size() == 1) {
                rates.add((Double) e.get("images_per_second"));
            }
        }
        rates.sort(null);
        double median = rates.isEmpty() ? Double.NaN : rates.size() % 2 == 1 ? rates.get(rates.size() / 2)
                : (rates.get(rates.size() / 2 - 1) + rates.get(rates.size() / 2)) / 2;
        json.put("images_per_second_median", median);
        json.put("target_accuracy", targets.get(0));
        json.put("seconds_to_target", toTargets.get(targetKey(targets.get(0))));
        json.put("seconds_to_targets", toTargets);
        json.put("final_test_accuracy", epochs.isEmpty() ? null : epochs.get(epochs.size() - 1).get("test_accuracy"));
        json.put("train_seconds_total", cumulative);
    }
}
