package io.sparkcnn.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.driver.InvalidInputException;
import io.sparkcnn.driver.output.Sha256;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code registry} command's operations: list the runs, show the champion, and promote or roll back
 * to a named run by hand (under the lock, recorded in the history with who and why).
 */
public final class RegistryAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAdmin.class);

    private RegistryAdmin() {
    }

    /** One line per history entry, oldest first, the current champion's line marked with '*'. */
    public static String list(String uri, Configuration conf) throws IOException {
        Registry registry = Registry.open(uri, conf, false);
        String champion = registry.champion().map(Champion::run).orElse("");
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "  %-20s %-9s %-14s %-10s %-20s %s%n", "run",
                "kind", "decision", "score", "champion after", "reason"));
        for (JsonNode l : registry.history()) {
            String metric = l.path("metric").asText("");
            JsonNode score = l.path("challenger").path(metric);
            out.append(String.format(Locale.ROOT, "%s %-20s %-9s %-14s %-10s %-20s %s%n",
                    l.path("run").asText().equals(champion) && l.path("kind").asText().equals("retrain")
                            && l.path("decision").asText().equals("promoted") ? "*" : " ",
                    l.path("run").asText(), l.path("kind").asText(), l.path("decision").asText(),
                    score.isNumber() ? String.format(Locale.ROOT, "%.4f", score.asDouble()) : "-",
                    l.path("champion_after").asText("-"), l.path("reason").asText("")));
        }
        List<String> runs = registry.finishedRuns();
        out.append(String.format(Locale.ROOT, "%d runs in %s; champion: %s%n", runs.size(), registry.root(),
                champion.isEmpty() ? "none" : champion));
        return out.toString();
    }

    /** The champion pointer and the holdout figures of its run, as JSON. */
    public static String show(String uri, Configuration conf) throws IOException {
        Registry registry = Registry.open(uri, conf, false);
        Optional<Champion> champion = registry.champion();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registry", registry.root().toString());
        m.put("champion", champion.map(Champion::toJson).orElse(null));
        if (champion.isPresent()) {
            m.put("holdout_scores", registry.decisionOf(champion.get().run()).map(d -> d.get("challenger")).orElse(null));
        }
        m.put("holdout", registry.holdoutRecord().orElse(null));
        return Registry.PRETTY.writeValueAsString(m);
    }

    /**
     * Makes {@code runId} the champion by hand ({@code rollback} names the action in the history). Without a
     * run, a rollback goes back to the champion before the current one.
     */
    public static Champion promote(String uri, Configuration conf, String runId, boolean rollback, String by,
                                   String reason, Duration staleAfter) throws IOException {
        if (reason == null || reason.isBlank()) {
            throw new InvalidInputException("--reason is required: the history records why the champion changed by hand");
        }
        Registry registry = Registry.open(uri, conf, false);
        String owner = (rollback ? "rollback-" : "promote-") + Instant.now().toEpochMilli();
        try (RegistryLock lock = RegistryLock.acquire(registry, owner, staleAfter)) {
            Optional<Champion> before = registry.champion();
            String target = runId != null ? runId : previousChampion(registry, before.map(Champion::run).orElse(null));
            if (!registry.finishedRuns().contains(target)) {
                throw new InvalidInputException("run " + target + " is not a finished run of " + registry.root()
                        + " (runs: " + registry.finishedRuns() + ")");
            }
            JsonNode decision = registry.decisionOf(target).orElseThrow(() -> new InvalidInputException("run " + target
                    + " has no " + Registry.DECISION + "; it is not a retrain run"));
            Path model = registry.modelOf(target);
            if (!registry.fileSystem().exists(model)) {
                throw new InvalidInputException("run " + target + " has no model: " + model + " is missing");
            }
            String fingerprint = "sha256:" + Sha256.ofFile(registry.fileSystem(), model);
            String recorded = decision.path("model_fingerprint").asText();
            if (!recorded.isEmpty() && !recorded.equals(fingerprint)) {
                throw new InvalidInputException("run " + target + ": " + model + " has " + fingerprint + " but its decision"
                        + " recorded " + recorded + "; the model was changed after training");
            }
            String metric = decision.path("metric").asText();
            JsonNode score = decision.path("challenger").path(metric);
            Champion champion = new Champion(target, model.toString(), fingerprint, metric,
                    score.isNumber() ? score.asDouble() : Double.NaN, decision.path("holdout_fingerprint").asText(),
                    Instant.now().toString(), rollback ? "rollback" : "promote", by);
            lock.verifyHeld();
            registry.setChampion(champion);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("run", target);
            line.put("time", Instant.now().toString());
            line.put("kind", rollback ? "rollback" : "promote");
            line.put("decision", rollback ? "rolled back" : "promoted by hand");
            line.put("reason", reason);
            line.put("by", by);
            line.put("champion_before", before.map(Champion::run).orElse(null));
            line.put("champion_after", target);
            registry.appendHistory(line);
            LOG.info("{} {}: champion {} -> {} by {} ({})", rollback ? "Rolled back" : "Promoted", registry.root(),
                    before.map(Champion::run).orElse("none"), target, by, reason);
            return champion;
        }
    }

    /** The champion before {@code current}: the last history line whose champion_after was another run. */
    static String previousChampion(Registry registry, String current) throws IOException {
        if (current == null) {
            throw new InvalidInputException("the registry " + registry.root() + " has no champion to roll back from");
        }
        List<JsonNode> history = registry.history();
        for (int i = history.size() - 1; i >= 0; i--) {
            String after = history.get(i).path("champion_after").asText("");
            if (!after.isEmpty() && !after.equals(current)) {
                return after;
            }
        }
        throw new InvalidInputException("the registry " + registry.root() + " has had no champion before " + current
                + "; name the run to roll back to");
    }
}
