package io.sparkcnn.driver.registry;

import io.sparkcnn.driver.TrainJobResult;
import io.sparkcnn.driver.TrainRunner;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.config.OutputConfig;
import io.sparkcnn.driver.config.RegistryConfig;
import io.sparkcnn.driver.config.RetrainConfig;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.data.DatasetPreparer;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.inference.LoadedModel;
import io.sparkcnn.driver.output.FolderLock;
import io.sparkcnn.driver.output.JobInputs;
import io.sparkcnn.driver.output.RunFolder;
import io.sparkcnn.driver.report.ComparisonWriter;
import io.sparkcnn.driver.train.WarmStart;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The retrain job beside the SparkContext. Under the registry lock: record runs that died earlier, train a
 * challenger into {@code runs/<id>} (warm-started from the champion unless {@code fromScratch}), score it and
 * the champion on the registry's fixed holdout, write the comparison report and decision, publish the run
 * folder, then, if it wins, swap the champion pointer, and append the history line. Any failure before that
 * leaves the champion and the earlier runs untouched and appends one failure line.
 */
public final class RetrainRunner {
    private static final Logger LOG = LoggerFactory.getLogger(RetrainRunner.class);

    private RetrainRunner() {
    }

    public static RetrainResult run(RetrainConfig config, JavaSparkContext sc) throws IOException {
        Configuration conf = sc.hadoopConfiguration();
        RegistryConfig rc = config.registry();
        // the registry replaces and removes files under its root: it must not hold the data it trains on
        RunFolder.checkNotInput("registry.path", rc.path(), JobInputs.ofRetrain(config.train().data(), rc.holdout()), conf);
        Registry registry = Registry.open(rc.path(), conf, true);
        Instant started = Instant.now();
        String id = registry.newRunId(started);
        try (FolderLock lock = registry.lock(id, rc.lockStaleAfter())) {
            List<String> failures = recordDeadRuns(registry, lock, id);
            Optional<Champion> before = registry.champion();
            RunFolder folder = null;
            try {
                folder = RunFolder.begin(registry.runDir(id).toString(), false, conf);
                RetrainResult result = retrain(config, sc, registry, lock, id, folder, before, started, failures);
                LOG.info("Retrain {}: {} ({})", id, result.promoted() ? "PROMOTED" : "kept the champion", result.reason());
                return result;
            } catch (IOException | RuntimeException e) {
                if (folder != null && !registry.fileSystem().exists(registry.runDir(id))) {
                    folder.abort();
                }
                recordFailure(registry, id, started, e, before);
                throw e;
            }
        }
    }

    private static RetrainResult retrain(RetrainConfig config, JavaSparkContext sc, Registry registry, FolderLock lock,
                                         String id, RunFolder folder, Optional<Champion> before, Instant started,
                                         List<String> failures) throws IOException {
        Configuration conf = sc.hadoopConfiguration();
        RegistryConfig rc = config.registry();
        TrainJobConfig train = config.train().withOutput(new OutputConfig(
                new Path(folder.temp(), Registry.MODEL).toString(), false, false));

        // bad input fails here, before a long training: data and holdout listed, holdout checked against the record
        DatasetPreparer.Plan dataPlan = DatasetPreparer.plan(train.data(), conf);
        DatasetPreparer.Plan holdoutPlan = Holdout.plan(rc.holdout(), conf);
        Holdout.checkDisjoint(holdoutPlan.sources(), dataPlan.sources(), conf);
        String holdoutFingerprint = holdoutPlan.fingerprint();
        Optional<com.fasterxml.jackson.databind.JsonNode> recorded = registry.holdoutRecord();
        if (recorded.isPresent() && !recorded.get().path("fingerprint").asText().equals(holdoutFingerprint)) {
            throw new InvalidInputException("registry.holdout " + String.join(", ", holdoutPlan.sources()) + " is not the"
                    + " holdout this registry scores on (recorded " + recorded.get().path("fingerprint").asText() + " from "
                    + recorded.get().path("sources") + ", now " + holdoutFingerprint + "); scores would not compare with"
                    + " earlier runs. Restore that holdout, or start a new registry");
        }
        LoadedModel champion = before.map(c -> loadChampion(c, conf)).orElse(null);
        WarmStart warm = null;
        if (champion != null && !config.fromScratch()) {
            warm = new WarmStart(champion.network(), "champion " + before.get().run() + " (" + before.get().model() + ")",
                    champion.fingerprint());
        } else if (champion == null) {
            LOG.info("No champion yet in {}: training from scratch", registry.root());
        }

        TrainJobResult trained = TrainRunner.run(train, sc, warm);
        LoadedModel challenger = LoadedModel.load(new Path(folder.temp(), Registry.MODEL).toString(), conf);
        if (champion != null && !champion.classNames().equals(challenger.classNames())) {
            throw new InvalidInputException("the challenger predicts classes " + challenger.classNames() + " but the"
                    + " champion " + before.get().run() + " predicts " + champion.classNames() + "; a registry compares"
                    + " models of one label set. Start a new registry for the new classes");
        }

        EvaluationStats challengerStats;
        EvaluationStats championStats = null;
        long holdoutImages;
        try (Holdout holdout = Holdout.decode(sc, rc.holdout(), holdoutPlan, challenger.classNames())) {
            challengerStats = holdout.evaluate(challenger);
            if (champion != null) {
                championStats = holdout.evaluate(champion);
            }
            holdoutImages = holdout.count();
        }
        List<String> classes = challenger.classNames();
        ComparisonWriter.Side challengerSide = new ComparisonWriter.Side("challenger", id, challenger.fingerprint(),
                challengerStats);
        ComparisonWriter.Side championSide = champion == null ? null : new ComparisonWriter.Side("champion",
                before.get().run(), champion.fingerprint(), championStats);
        double challengerScore = score(rc.metric(), challengerSide, classes);
        double championScore = championSide == null ? Double.NaN : score(rc.metric(), championSide, classes);
        Promotion decision = Promotion.decide(rc.metric(), rc.minImprovement(), rc.floor(), challengerScore,
                championScore, before.map(Champion::run).orElse(""));
        String title = "Retrain " + id + ": challenger vs " + (before.isPresent() ? "champion " + before.get().run()
                : "no champion");
        ComparisonWriter.write(folder.fileSystem(), new Path(folder.temp(), Registry.COMPARISON),
                new ComparisonWriter.Comparison(title, classes, holdoutPlan.sources(), holdoutFingerprint, challengerSide,
                        championSide, rc.metric().configName(), rc.minImprovement(), rc.floor(), decision.promote(),
                        decision.reason()));

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("run", id);
        line.put("time", Instant.now().toString());
        line.put("kind", "retrain");
        line.put("decision", decision.promote() ? "promoted" : "kept");
        line.put("reason", decision.reason());
        line.put("metric", rc.metric().configName());
        line.put("challenger", ComparisonWriter.figures(challengerSide, classes));
        line.put("champion_before", before.map(Champion::run).orElse(null));
        line.put("champion_before_scores", championSide == null ? null : ComparisonWriter.figures(championSide, classes));
        line.put("champion_after", decision.promote() ? id : before.map(Champion::run).orElse(null));
        line.put("data_sources", dataPlan.sources());
        line.put("dataset_fingerprint", dataPlan.fingerprint());
        line.put("holdout_fingerprint", holdoutFingerprint);
        line.put("holdout_images", holdoutImages);
        line.put("warm_start_from", warm == null ? null : before.get().run());
        line.put("epochs", trained.outcome().stoppedEpoch());
        line.put("stop_reason", trained.outcome().stopReason().jsonName());
        line.put("test_accuracy", trained.testAccuracy());
        line.put("model_fingerprint", challenger.fingerprint());
        line.put("by", user());
        line.put("duration_seconds", Duration.between(started, Instant.now()).toMillis() / 1000.0);
        folder.writeString(Registry.DECISION, Registry.PRETTY.writeValueAsString(JsonFormat.stamped(line)));

        // publish: the run folder first (a champion never points at a missing run), then the pointer, then history
        lock.verifyHeld();
        if (recorded.isEmpty()) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("format", rc.holdout().format().configName());
            h.put("sources", holdoutPlan.sources());
            h.put("fingerprint", holdoutFingerprint);
            h.put("images", holdoutImages);
            h.put("class_names", classes);
            h.put("recorded_by", id);
            h.put("recorded_at", Instant.now().toString());
            registry.recordHoldout(h);
        }
        String runPath = folder.commit().toString();
        if (decision.promote()) {
            registry.setChampion(new Champion(id, registry.modelOf(id).toString(), challenger.fingerprint(),
                    rc.metric().configName(), challengerScore, holdoutFingerprint, Instant.now().toString(), "retrain", user()));
        }
        registry.appendHistory(line);
        return new RetrainResult(id, decision.promote(), decision.reason(), rc.metric().configName(), challengerScore,
                championScore, before.map(Champion::run).orElse(null), runPath, trained,
                lock.tookOverFrom().map(FolderLock.Holder::owner).orElse(null), failures);
    }

    static double score(RegistryConfig.Metric metric, ComparisonWriter.Side side, List<String> classes) {
        return (Double) ComparisonWriter.figures(side, classes).get(metric.configName());
    }

    private static LoadedModel loadChampion(Champion c, Configuration conf) {
        LoadedModel model;
        try {
            model = LoadedModel.load(c.model(), conf);
        } catch (InvalidInputException e) {
            throw new IllegalStateException("the champion " + c.run() + " cannot be loaded (" + e.getMessage() + "); point"
                    + " the registry at a good run with: registry rollback", e);
        }
        if (!c.modelFingerprint().isEmpty() && !c.modelFingerprint().equals(model.fingerprint())) {
            throw new IllegalStateException("the champion " + c.run() + " model " + c.model() + " has "
                    + model.fingerprint() + " but the registry recorded " + c.modelFingerprint() + ": it was changed;"
                    + " point the registry at a good run with: registry rollback");
        }
        return model;
    }

    /**
     * Runs that began but never finished (killed: their driver could not write a line) get their failure
     * line now, and their folders are removed. Only the lock holder does this, so none of them is running.
     */
    private static List<String> recordDeadRuns(Registry registry, FolderLock lock, String id) throws IOException {
        List<String> recorded = new ArrayList<>();
        java.util.Set<String> inHistory = new java.util.HashSet<>();
        registry.history().forEach(l -> inHistory.add(l.path("run").asText()));
        for (String dead : registry.unfinishedRuns()) {
            if (!inHistory.contains(dead)) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("run", dead);
                line.put("time", Instant.now().toString());
                line.put("kind", "retrain");
                line.put("decision", "failed");
                line.put("reason", "did not finish: its driver died (found unfinished by run " + id
                        + (lock.tookOverFrom().map(h -> h.owner().equals(dead)).orElse(false)
                        ? ", which took over its stale lock" : "") + ")");
                line.put("champion_after", registry.champion().map(Champion::run).orElse(null));
                registry.appendHistory(line);
                recorded.add(dead);
                LOG.warn("Run {} did not finish (its driver died); recorded it as failed in the history", dead);
            }
            registry.fileSystem().delete(RunFolder.unfinished(registry.runDir(dead)), true);
        }
        return recorded;
    }

    private static void recordFailure(Registry registry, String id, Instant started, Exception e,
                                      Optional<Champion> before) {
        try {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("run", id);
            line.put("time", Instant.now().toString());
            line.put("kind", "retrain");
            line.put("decision", "failed");
            line.put("reason", e instanceof InvalidInputException ? e.getMessage() : e.toString());
            line.put("champion_after", before.map(Champion::run).orElse(null));
            line.put("by", user());
            line.put("duration_seconds", Duration.between(started, Instant.now()).toMillis() / 1000.0);
            registry.appendHistory(line);
        } catch (IOException | RuntimeException again) {
            LOG.warn("Could not record the failure of run {} in the history: {}", id, again.toString());
        }
    }

    static String user() {
        try {
            return UserGroupInformation.getCurrentUser().getShortUserName();
        } catch (IOException e) {
            return System.getProperty("user.name", "unknown");
        }
    }
}
