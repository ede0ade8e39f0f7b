package io.sparkcnn.driver.registry;

import io.sparkcnn.driver.TrainJobResult;

import java.util.List;

/**
 * What a retrain decided, for the entry point and tests; the same facts are in the run's decision.json and
 * the registry history. {@code championScore} is NaN when there was no champion; {@code tookOverLockFrom}
 * is the owner of a stale lock this run took over (null if none); {@code recordedFailures} are earlier runs
 * found unfinished and recorded as failed.
 */
public record RetrainResult(String runId, boolean promoted, String reason, String metric, double challengerScore,
                            double championScore, String previousChampion, String runPath, TrainJobResult train,
                            String tookOverLockFrom, List<String> recordedFailures) {
}
