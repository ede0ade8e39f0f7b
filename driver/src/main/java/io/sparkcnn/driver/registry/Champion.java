package io.sparkcnn.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.driver.common.JsonFormat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registry's pointer to the serving model: which run, its model.zip and SHA-256, the holdout score
 * it was promoted on, and when, how ({@code retrain}, {@code promote} or {@code rollback}) and by whom.
 */
public record Champion(String run, String model, String modelFingerprint, String metric, double score,
                       String holdoutFingerprint, String promotedAt, String how, String by) {

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(JsonFormat.KEY, JsonFormat.CURRENT);
        m.put("run", run);
        m.put("model", model);
        m.put("model_fingerprint", modelFingerprint);
        m.put("metric", metric);
        m.put("score", Double.isNaN(score) ? null : score);
        m.put("holdout_fingerprint", holdoutFingerprint);
        m.put("promoted_at", promotedAt);
        m.put("how", how);
        m.put("by", by);
        return m;
    }

    static Champion fromJson(JsonNode j) {
        return new Champion(j.path("run").asText(), j.path("model").asText(), j.path("model_fingerprint").asText(),
                j.path("metric").asText(), j.path("score").isNumber() ? j.get("score").asDouble() : Double.NaN,
                j.path("holdout_fingerprint").asText(), j.path("promoted_at").asText(), j.path("how").asText(),
                j.path("by").asText());
    }
}
