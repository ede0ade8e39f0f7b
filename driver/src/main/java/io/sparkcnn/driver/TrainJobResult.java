package io.sparkcnn.driver;

import io.sparkcnn.driver.data.SkippedFile;
import io.sparkcnn.driver.train.TrainingOutcome;
import io.sparkcnn.workers.model.ModelSummary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.List;
import java.util.Map;

/**
 * What a train run produced, for callers and tests; the same facts (and the network) are in the run folder.
 * {@code resumedFromEpoch} is 0 for an uninterrupted run, else the checkpoint epoch it continued from.
 */
public record TrainJobResult(String runPath, TrainingOutcome outcome, double testLoss, double testAccuracy,
                          List<String> classNames, Map<String, long[]> countsPerSplit, List<SkippedFile> skipped,
                          String datasetFingerprint, ModelSummary summary, String backend,
                          MultiLayerNetwork network, int resumedFromEpoch) {
}
