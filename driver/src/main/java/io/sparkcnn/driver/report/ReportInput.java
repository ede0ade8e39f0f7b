package io.sparkcnn.driver.report;

import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.workers.ImageShape;

import java.util.List;

/**
 * Everything a report is made of. {@code history} is empty (and the epoch fields -1) when the model's
 * run history is unknown, e.g. evaluating a bare model.zip; {@code train}/{@code validation} are NaN
 * splits when those were not evaluated. {@code regularization} (the L2 penalty) is added to the evaluated
 * split's mean cross-entropy to give its loss, as Keras' evaluate does; train/validation losses include it.
 */
public record ReportInput(String title, List<String> classNames, ImageShape shape, EvaluationStats evaluated,
                          String evaluatedSplit, Diagnosis.Split train, Diagnosis.Split validation,
                          List<EpochRecord> history, int bestEpoch, int stoppedEpoch, String stopReason, String monitor,
                          String modelSource, String modelFingerprint, String datasetSource, String datasetFingerprint,
                          double seconds, double regularization) {

    public ReportInput {
        classNames = List.copyOf(classNames);
        history = List.copyOf(history);
    }

    /** The evaluated split's loss: mean cross-entropy plus the weight penalty. */
    public double loss() {
        return evaluated.meanLoss() + regularization;
    }

    public static final Diagnosis.Split UNKNOWN = new Diagnosis.Split(Double.NaN, Double.NaN);
}
