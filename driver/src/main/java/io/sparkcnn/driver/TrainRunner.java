package io.sparkcnn.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.driver.common.Hashing;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.config.ConfigFingerprint;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.data.DatasetPreparer;
import io.sparkcnn.driver.data.PreparedData;
import io.sparkcnn.driver.data.Split;
import io.sparkcnn.driver.eval.Evaluation;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.output.CheckpointStore;
import io.sparkcnn.driver.output.JobInputs;
import io.sparkcnn.driver.output.ModelFiles;
import io.sparkcnn.driver.output.RunFolder;
import io.sparkcnn.driver.output.RunManifest;
import io.sparkcnn.driver.output.RunMetrics;
import io.sparkcnn.driver.output.Versions;
import io.sparkcnn.driver.report.Diagnosis;
import io.sparkcnn.driver.report.ReportInput;
import io.sparkcnn.driver.report.ReportWriter;
import io.sparkcnn.driver.train.EpochCheckpointer;
import io.sparkcnn.driver.train.LearningRateSchedule;
import io.sparkcnn.driver.train.SparkTrainer;
import io.sparkcnn.driver.train.TrainingOutcome;
import io.sparkcnn.driver.train.WarmStart;
import io.sparkcnn.workers.BackendInfo;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.LayerHelpers;
import io.sparkcnn.workers.TrainingBatches;
import io.sparkcnn.workers.model.ModelSummary;
import io.sparkcnn.workers.model.NetworkFactory;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The train job beside the SparkContext: validate inputs, prepare the data, build the network, run the
 * epoch loop, and write model.zip, metrics.json, manifest.json and summary.txt into the run folder
 * atomically. Bad input fails before anything is written.
 */
public final class TrainRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TrainRunner.class);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Decoded splits are checkpointed here, inside the unfinished run folder, and removed before commit. */
    static final String RDD_CHECKPOINTS = "_rdd-checkpoints";

    private TrainRunner() {
    }

    public static TrainJobResult run(TrainJobConfig config, JavaSparkContext sc) throws IOException {
        return run(config, sc, null);
    }

    /** As {@link #run(TrainJobConfig, JavaSparkContext)}, starting from {@code warmStart}'s weights when not null. */
    public static TrainJobResult run(TrainJobConfig config, JavaSparkContext sc, WarmStart warmStart) throws IOException {
        LayerHelpers.enable();
        String backend = BackendInfo.describe();
        LOG.info(backend);
        var hadoopConf = sc.hadoopConfiguration();
        RunFolder.checkTarget(config.output().path(), config.output().overwrite(), hadoopConf);
        RunFolder.checkNotInput("output.path", config.output().path(), JobInputs.ofDataset(config.data()), hadoopConf);
        DatasetPreparer.Plan plan = DatasetPreparer.plan(config.data(), hadoopConf);
        io.sparkcnn.driver.train.MemoryEstimate.check(config, plan.classNames().size(), sc.getConf()); // before init() allocates
        MultiLayerNetwork net;
        try {
            net = NetworkFactory.network(config.model().spec(), config.data().shape(), plan.classNames().size());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("model.layers: " + e.getMessage(), e);
        }
        if (warmStart != null) {
            warmStart.applyTo(net);
            LOG.info("Warm start: initial weights from {}", warmStart.description());
        }
        ModelSummary summary = ModelSummary.of(net, config.model().spec().layers(), config.data().shape());
        LOG.info("Model summary:\n{}", summary.render());
        Map<String, String> driverHelpers = LayerHelpers.perLayerType(net);
        LOG.info("Layer helpers on the driver: {} ({})", LayerHelpers.describe(net), LayerHelpers.jvmState());

        Instant started = Instant.now();
        RunFolder folder = RunFolder.begin(config.output().path(), config.output().overwrite(), hadoopConf);
        String configFingerprint = ConfigFingerprint.of(config.resolved());
        String datasetFingerprint = plan.fingerprint();
        CheckpointStore checkpoints = new CheckpointStore(folder.fileSystem(), folder.temp());
        PreparedData data = null;
        TaskFailureListener faults = new TaskFailureListener();
        sc.sc().addSparkListener(faults);
        try {
            CheckpointStore.Checkpoint resume = resumePoint(config, folder, checkpoints, configFingerprint,
                    datasetFingerprint);
            if (resume != null) {
                net = resume.network();
            }
            data = DatasetPreparer.prepare(sc, config.data(), plan, folder.temp() + "/" + RDD_CHECKPOINTS);
            DataNormalization normalizer = data.scaling().toDl4jNormalizer();
            EpochCheckpointer saver = (state, network) -> {
                long t0 = System.nanoTime();
                Path written = checkpoints.write(state, network, normalizer, config.resolved(), configFingerprint,
                        datasetFingerprint);
                LOG.info(String.format(Locale.ROOT, "Checkpoint of epoch %d written to %s in %.1fs", state.epoch(),
                        written, (System.nanoTime() - t0) / 1e9));
            };
            TrainingOutcome outcome = SparkTrainer.train(sc, config.training(), config.model().spec().seed(), data,
                    trainingBatches(config), net, resume == null ? null : resume.state(), saver, schedule(config));
            String modelSha = writeModel(folder, net, normalizer);
            FinalEvaluation eval = evaluateFinal(sc, net, data, outcome);
            double testLoss = eval.test().meanLoss() + eval.regularization();
            LOG.info(String.format(Locale.ROOT, "Test: loss %.4f, accuracy %.4f, top-2 accuracy %.4f on %d images",
                    testLoss, eval.test().accuracy(), eval.test().top2Accuracy(), eval.test().count()));
            ReportInput reportInput = new ReportInput("Evaluation of " + folder.target().getName(), data.classNames(),
                    data.shape(), eval.test(), Split.TEST.jsonName(), eval.train(), eval.validation(), outcome.history(),
                    outcome.bestEpoch(), outcome.stoppedEpoch(), outcome.stopReason().jsonName(), outcome.monitor(),
                    folder.target() + "/model.zip", Hashing.label(modelSha), String.join(", ", data.sources()),
                    datasetFingerprint, eval.seconds(), eval.regularization());
            ReportWriter.Report report = ReportWriter.write(folder.fileSystem(), folder.temp(), reportInput);
            LOG.info("Diagnosis: {}", report.diagnosis().text());
            folder.writeString("summary.txt", summary.render());
            if (faults.failedAttempts() > 0 || faults.executorsLost() > 0) {
                LOG.warn("Spark retried {} failed task attempt(s) {} and lost {} executor(s) during this run",
                        faults.failedAttempts(), faults.reasons(), faults.executorsLost());
            }
            int resumedFrom = resume == null ? 0 : resume.state().epoch();
            folder.writeString("metrics.json", metrics(outcome, eval.test(), testLoss, data, faults, resumedFrom).toJson());
            folder.writeString("manifest.json", manifest(config, sc, data, backend, started, summary, configFingerprint,
                    warmStart, layerHelpers(driverHelpers, outcome)).toJson());
            // like Keras' BackupAndRestore: checkpoints exist for unfinished runs; the finished one has model.zip
            folder.delete(CheckpointStore.FOLDER);
            folder.delete(RDD_CHECKPOINTS); // the cached splits are released in finally
            String path = folder.commit().toString();
            LOG.info("Run written to {}", path);
            return new TrainJobResult(path, outcome, testLoss, eval.test().accuracy(), data.classNames(),
                    data.countsPerSplit(), data.skipped(), data.fingerprint(), summary, backend, net, resumedFrom);
        } catch (Throwable e) { // SparkException too (Scala throws it unchecked): keep a resumable state
            abortKeepingCheckpoints(folder, checkpoints);
            folder.release();
            throw e;
        } finally {
            sc.sc().removeSparkListener(faults);
            if (data != null) {
                data.unpersist();
            }
        }
    }

    /**
     * The checkpoint to continue from, or null for a fresh start. An unfinished folder without a usable
     * checkpoint is cleared; one whose config or dataset differs from this run's is refused (exit code 2)
     * and left as it is.
     */
    static CheckpointStore.Checkpoint resumePoint(TrainJobConfig config, RunFolder folder, CheckpointStore checkpoints,
                                                  String configFingerprint, String datasetFingerprint)
            throws IOException {
        Optional<CheckpointStore.Checkpoint> found = folder.existed() ? checkpoints.loadLatest() : Optional.empty();
        if (found.isEmpty()) {
            if (config.output().resume()) {
                throw new InvalidInputException("output.resume: there is no unfinished run with a usable checkpoint at "
                        + folder.target() + " (looked in " + checkpoints.dir() + ")");
            }
            if (folder.existed()) {
                LOG.warn("The unfinished run in {} has no usable checkpoint: starting over", folder.temp());
                folder.clear();
            }
            return null;
        }
        CheckpointStore.Checkpoint cp = found.get();
        // keys added to reference.conf after the checkpoint was written take their (behaviour-keeping) defaults
        String storedConfig = ConfigFingerprint.withCurrentDefaults(cp.resolvedConfig());
        String refusal = null;
        if (!SparkTrainer.finite(cp.network().params())) { // written before divergence was caught: continuing cannot recover
            refusal = "the checkpoint " + cp.path() + " of the unfinished run at " + folder.target()
                    + " holds weights that are NaN or infinite (training had diverged): refusing to resume from it;"
                    + " start over with --overwrite and a lower model.learning-rate";
        } else if (!cp.configFingerprint().equals(configFingerprint)
                && !ConfigFingerprint.of(storedConfig).equals(configFingerprint)) {
            refusal = "output.path " + folder.target() + " holds an unfinished run whose config"
                    + " differs from this one (checkpoint " + cp.configFingerprint() + ", now " + configFingerprint
                    + "); differing keys: " + String.join("; ", ConfigFingerprint.differences(storedConfig,
                    config.resolved())) + ". Resume it with its own config (train --resume " + folder.target()
                    + ") or start over with --overwrite";
        } else if (!cp.datasetFingerprint().equals(datasetFingerprint)) {
            refusal = "output.path " + folder.target() + " holds an unfinished run trained on"
                    + " different data (dataset " + cp.datasetFingerprint() + " then, " + datasetFingerprint
                    + " now): files were added, removed or changed. Start over with --overwrite";
        }
        if (refusal != null) {
            if (!config.output().overwrite()) {
                throw new InvalidInputException(refusal);
            }
            // an interrupted overwrite run is kept for resuming; one this run cannot continue is what overwrite discards
            LOG.warn("Starting over, as output.overwrite asks, instead of resuming the unfinished run in {}: {}",
                    folder.temp(), refusal);
            folder.clear();
            return null;
        }
        folder.delete(RDD_CHECKPOINTS); // the crashed attempt's decoded splits belong to its SparkContext
        LOG.info("Resuming the unfinished run in {} from the checkpoint of epoch {} (stop decided: {})",
                folder.temp(), cp.state().epoch(), cp.state().stopReason() == null ? "no"
                        : cp.state().stopReason().jsonName());
        return cp;
    }

    /** The resolved config recorded in the newest checkpoint of the unfinished run at {@code outputUri}. */
    public static String storedConfig(String outputUri, org.apache.hadoop.conf.Configuration hadoopConf) {
        try {
            Path target = new Path(outputUri);
            var fs = target.getFileSystem(hadoopConf);
            Path unfinished = RunFolder.unfinished(fs.makeQualified(target));
            return new CheckpointStore(fs, unfinished).storedConfig().orElseThrow(() -> new InvalidInputException(
                    "--resume " + outputUri + ": there is no unfinished run with a checkpoint there (looked in "
                            + unfinished + "/" + CheckpointStore.FOLDER + ")"));
        } catch (IOException e) {
            throw new InvalidInputException("--resume " + outputUri + ": cannot read its checkpoints: " + e.getMessage(), e);
        }
    }

    /** On failure: a run with checkpoints stays resumable (minus its decoded splits); any other is removed. */
    private static void abortKeepingCheckpoints(RunFolder folder, CheckpointStore checkpoints) {
        try {
            List<Integer> epochs = checkpoints.epochs();
            if (!epochs.isEmpty()) {
                folder.delete(RDD_CHECKPOINTS);
                LOG.warn("The unfinished run stays in {} with the checkpoint of epoch {}: run the same command again,"
                        + " or train --resume {}, to continue from there", folder.temp(), epochs.get(0), folder.target());
                return;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not inspect the checkpoints in {}: {}", folder.temp(), e.toString());
        }
        folder.abort();
    }

    /** The learning rate of each epoch: model.lr-schedule over model.learning-rate and training.max-epochs. */
    public static LearningRateSchedule schedule(TrainJobConfig config) {
        return new LearningRateSchedule(config.model().lrSchedule(), config.model().spec().learningRate(),
                config.training().maxEpochs());
    }

    /** model.zip with updater state and the fitted normalizer, loadable by ModelSerializer in plain DL4J. */
    static String writeModel(RunFolder folder, MultiLayerNetwork net, DataNormalization normalizer) throws IOException {
        return ModelFiles.write(folder.fileSystem(), new Path(folder.temp(), "model.zip"), net, normalizer);
    }

    /**
     * The final model on every split: the test split for the report, train and validation for its diagnosis.
     * Validation is not evaluated again: the final weights are those of one epoch of the history (the best
     * one when restored, else the last), whose validation figures the loop already measured.
     */
    record FinalEvaluation(EvaluationStats test, Diagnosis.Split train, Diagnosis.Split validation, double regularization,
                           double seconds) {
    }

    static FinalEvaluation evaluateFinal(JavaSparkContext sc, MultiLayerNetwork net, PreparedData data,
                                         TrainingOutcome outcome) {
        long start = System.nanoTime();
        double reg = net.calcRegularizationScore(true); // Keras' evaluate adds the weight penalty to the loss
        try (Evaluation eval = Evaluation.of(sc, net)) {
            EvaluationStats test = eval.on(data.test(), data.shape(), data.numClasses(), data.scaling(), ReportWriter.GALLERY);
            EvaluationStats train = eval.on(data.train(), data.shape(), data.numClasses(), data.scaling(), 0);
            int weightsOf = outcome.restoredBestWeights() ? outcome.bestEpoch() : outcome.stoppedEpoch();
            Diagnosis.Split validation = outcome.history().stream().filter(r -> r.epoch() == weightsOf).findFirst()
                    .map(r -> new Diagnosis.Split(r.valAccuracy(), r.valLoss())).orElse(ReportInput.UNKNOWN);
            return new FinalEvaluation(test, new Diagnosis.Split(train.accuracy(), train.meanLoss() + reg), validation,
                    reg, (System.nanoTime() - start) / 1e9);
        }
    }

    static RunMetrics metrics(TrainingOutcome o, EvaluationStats testStats, double testLoss, PreparedData data,
                              TaskFailureListener faults, int resumedFromEpoch) {
        // resumed_from_epoch: 0 for an uninterrupted run; else the checkpoint epoch this attempt continued from
        return new RunMetrics(JsonFormat.CURRENT, RunMetrics.epochs(o.history()), o.monitor(), o.bestEpoch(),
                o.bestValue(), o.stopReason().jsonName(), o.stoppedEpoch(), o.restoredBestWeights(), o.trainSeconds(),
                o.workers(), resumedFromEpoch,
                new RunMetrics.Faults(faults.failedAttempts(), faults.executorsLost(), faults.reasons()),
                new RunMetrics.Test(testLoss, testStats.accuracy(), testStats.top2Accuracy(), testStats.count(),
                        testStats.confusion(), data.classNames()));
    }

    static RunManifest manifest(TrainJobConfig config, JavaSparkContext sc, PreparedData data, String backend,
                                Instant started, ModelSummary summary, String configFingerprint,
                                WarmStart warmStart, Map<String, Object> layerHelpers) throws IOException {
        int executors = sc.sc().statusTracker().getExecutorInfos().length; // includes the driver
        RunManifest.Spark spark = new RunManifest.Spark(sc.master(), sc.sc().applicationId(), sc.defaultParallelism(),
                Math.max(1, executors - 1), data.partitions(), sc.sc().deployMode(),
                sc.sc().applicationAttemptId().getOrElse(() -> null), sc.getConf().get("spark.driver.host", null),
                System.getenv("CONTAINER_ID")); // set by the YARN NodeManager in every container it launches
        Map<String, RunManifest.SplitCount> counts = new LinkedHashMap<>();
        for (var e : data.countsPerSplit().entrySet()) {
            Map<String, Long> perClass = new LinkedHashMap<>();
            long total = 0;
            for (int c = 0; c < data.classNames().size(); c++) {
                perClass.put(data.classNames().get(c), e.getValue()[c]);
                total += e.getValue()[c];
            }
            counts.put(e.getKey(), new RunManifest.SplitCount(total, perClass));
        }
        FeatureScaling scaling = data.scaling();
        boolean minMax = scaling.kind() == FeatureScaling.Kind.MINMAX;
        Map<String, Object> scalingJson = ordered("kind", scaling.kind().configName(), minMax ? "min" : "mean",
                scaling.first(), minMax ? "max" : "std", scaling.second(), "fitted_on", "train");
        List<RunManifest.Skipped> skipped = data.skipped().stream()
                .map(f -> new RunManifest.Skipped(f.path(), f.split(), f.reason())).toList();
        RunManifest.Dataset dataset = new RunManifest.Dataset(config.data().format().configName(), data.sources(),
                data.fingerprint(), data.classNames(), RunManifest.InputShape.of(data.shape()), counts,
                JSON.valueToTree(scalingJson), skipped.size(), skipped);
        return new RunManifest(JsonFormat.CURRENT, Instant.now().toString(), started.toString(),
                JSON.readTree(config.resolved()), configFingerprint, // the fingerprint covers every key but output.*
                new RunManifest.Seeds(config.data().seed(), config.model().spec().seed()),
                Versions.collect(sc.version(), BackendInfo.kind()), backend, JSON.valueToTree(layerHelpers), spark,
                dataset, new RunManifest.Model(config.model().preset(), summary.totalParams(), summary.trainableParams()),
                warmStart == null ? null : new RunManifest.WarmStart(warmStart.description(), warmStart.modelFingerprint()),
                RunManifest.TrainingBatches.of(trainingBatches(config)));
    }

    /** data.augment.* and model.label-smoothing: what only the training minibatches get. */
    static TrainingBatches trainingBatches(TrainJobConfig config) {
        return new TrainingBatches(config.data().augment(), config.model().labelSmoothing());
    }

    /** Which layer helper each layer type ran on, on the driver and on every executor that trained. */
    static Map<String, Object> layerHelpers(Map<String, String> driver, TrainingOutcome outcome) {
        return ordered("driver", ordered("jvm", LayerHelpers.jvmState(), "layers", driver),
                "executors", outcome.executorLayerHelpers());
    }

    /** A JSON object whose keys keep the order given. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
