package io.sparkcnn.driver.train;

import java.util.List;
import java.util.Map;

/**
 * What the epoch loop did: the history and the early-stopping result, and the layer helpers each executor
 * reported from its worker network (executor, host, pid, jvm, layers).
 */
public record TrainingOutcome(List<EpochRecord> history, int bestEpoch, double bestValue, String monitor,
                              StopReason stopReason, int stoppedEpoch, boolean restoredBestWeights,
                              double trainSeconds, int workers, List<Map<String, Object>> executorLayerHelpers) {

    public enum StopReason {
        EARLY_STOPPING("early_stopping"), MAX_EPOCHS("max_epochs"), TIME_LIMIT("time_limit");

        private final String jsonName;

        StopReason(String jsonName) {
            this.jsonName = jsonName;
        }

        public String jsonName() {
            return jsonName;
        }
    }
}
