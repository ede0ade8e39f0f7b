package io.sparkcnn.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.driver.common.Hashing;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.output.FolderLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
                    l.path("champion_after").asText("-"), l.path("reason").asText("")
                            + (l.hasNonNull("rollback") ? " (" + l.get("rollback").asText() + ")" : "")));
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
     * run, a rollback walks one step back through the chain of promotions ({@link #previousChampion}); a
     * rollback's history line says where it is ({@code rollback}: "rolled back from B to A (...)").
     */
    public static Champion promote(String uri, Configuration conf, String runId, boolean rollback, String by,
                                   String reason, Duration staleAfter) throws IOException {
        if (reason == null || reason.isBlank()) {
            throw new InvalidInputException("--reason is required: the history records why the champion changed by hand");
        }
        Registry registry = Registry.open(uri, conf, false);
        String owner = (rollback ? "rollback-" : "promote-") + Instant.now().toEpochMilli();
        try (FolderLock lock = registry.lock(owner, staleAfter)) {
            Optional<Champion> before = registry.champion();
            String from = before.map(Champion::run).orElse(null);
            String target;
            String note = null;
            if (runId == null) {
                RollbackStep step = previousChampion(registry, from);
                target = step.target();
                note = step.note();
            } else {
                target = runId;
                if (rollback) {
                    Chain chain = Chain.of(registry.history(), from);
                    int at = chain.runs().subList(0, Math.max(chain.cursor(), 0)).lastIndexOf(runId);
                    if (at >= 0) {
                        note = note(chain, at, from);
                    } else { // where the chain stands once this line is in the history
                        List<JsonNode> after = new ArrayList<>(registry.history());
                        after.add(Registry.JSON.valueToTree(Map.of("kind", "rollback", "champion_after", runId)));
                        Chain next = Chain.of(after, runId);
                        note = "rolled back from " + (from == null ? "no champion" : from) + " to " + runId
                                + " (named; not an earlier champion in the chain of promotions; next rollback: "
                                + (next.cursor() > 0 ? next.runs().get(next.cursor() - 1) : "none left") + ")";
                    }
                }
            }
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
            String fingerprint = Hashing.label(Hashing.ofFile(registry.fileSystem(), model));
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
            if (note != null) {
                line.put("rollback", note);
            }
            registry.appendHistory(line);
            if (note != null) {
                LOG.info("Registry {}: {}, by {} ({})", registry.root(), note, by, reason);
            } else {
                LOG.info("Promoted {}: champion {} -> {} by {} ({})", registry.root(),
                        before.map(Champion::run).orElse("none"), target, by, reason);
            }
            return champion;
        }
    }

    /**
     * Where a rollback without a run goes, and why: the chain of promotions (retrains that promoted and
     * promotions by hand) replayed from the history with a cursor that rollbacks move back; a promotion
     * after a rollback drops the champions the rollbacks left (as a browser's history drops the pages after
     * the current one), so rolling back twice walks back two promotions instead of toggling.
     *
     * @param target the run a rollback without a run makes the champion
     * @param note   e.g. "rolled back from B to A (2 promotions back from the newest, C; next rollback: none left)"
     */
    record RollbackStep(String target, String note) {
    }

    /** The chain of champions made by promotions, oldest first, and the index of the current champion in it. */
    record Chain(List<String> runs, int cursor) {
        static Chain of(List<JsonNode> history, String current) {
            List<String> runs = new ArrayList<>();
            int cursor = -1;
            for (JsonNode l : history) {
                String kind = l.path("kind").asText("");
                String after = l.path("champion_after").asText("");
                if (after.isEmpty() || (cursor >= 0 && after.equals(runs.get(cursor)))) {
                    continue; // kept, failed, or a promotion of the champion itself: the chain is unchanged
                }
                int back = kind.equals("rollback") ? runs.subList(0, Math.max(cursor, 0)).lastIndexOf(after) : -1;
                if (back >= 0) {
                    cursor = back; // a rollback to an earlier champion of the chain: walk back
                } else { // a promotion (or a rollback to a run the chain does not hold before the champion)
                    runs.subList(cursor + 1, runs.size()).clear();
                    runs.add(after);
                    cursor = runs.size() - 1;
                }
            }
            if (current != null && (cursor < 0 || !runs.get(cursor).equals(current))) {
                // the pointer disagrees with the history (written by hand?): trust the pointer
                int at = runs.lastIndexOf(current);
                if (at >= 0) {
                    cursor = at;
                } else {
                    runs.subList(cursor + 1, runs.size()).clear();
                    runs.add(current);
                    cursor = runs.size() - 1;
                }
            }
            return new Chain(runs, cursor);
        }

        String newest() {
            return runs.get(runs.size() - 1);
        }
    }

    /** The champion a rollback from {@code current} goes to, skipping champions that a rollback already left. */
    static RollbackStep previousChampion(Registry registry, String current) throws IOException {
        if (current == null) {
            throw new InvalidInputException("the registry " + registry.root() + " has no champion to roll back from");
        }
        Chain chain = Chain.of(registry.history(), current);
        if (chain.cursor() <= 0) {
            String left = chain.runs().size() > 1 ? "; rollbacks already went back past "
                    + String.join(", ", chain.runs().subList(1, chain.runs().size())) : "";
            throw new InvalidInputException("rollback refused: " + current + " is the first champion in the chain of"
                    + " promotions of " + registry.root() + left + ": there is no earlier champion to roll back to"
                    + " (name a run: rollback RUN, or promote RUN)");
        }
        return new RollbackStep(chain.runs().get(chain.cursor() - 1), note(chain, chain.cursor() - 1, current));
    }

    /** "rolled back from C to B (1 promotion back from the newest, C; next rollback: A)". */
    static String note(Chain chain, int to, String from) {
        String target = chain.runs().get(to);
        int back = chain.runs().size() - 1 - to;
        String where = back == 0 ? "the newest promotion" : back + (back == 1 ? " promotion" : " promotions")
                + " back from the newest, " + chain.newest();
        return "rolled back from " + from + " to " + target + " (" + where + "; next rollback: "
                + (to > 0 ? chain.runs().get(to - 1) : "none left") + ")";
    }
}
