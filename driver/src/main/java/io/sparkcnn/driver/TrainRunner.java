package io.sparkcnn.driver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.driver.config.TrainConfig;
import io.sparkcnn.driver.data.DatasetPreparer;
import io.sparkcnn.driver.data.Fingerprint;
import io.sparkcnn.driver.data.PreparedData;
import io.sparkcnn.driver.data.SkippedFile;
import io.sparkcnn.driver.output.RunFolder;
import io.sparkcnn.driver.output.Versions;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.driver.train.SparkTrainer;
import io.sparkcnn.driver.train.TrainingOutcome;
import io.sparkcnn.workers.BackendInfo;
import io.sparkcnn.workers.model.ModelSummary;
import io.sparkcnn.workers.model.NetworkFactory;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    public static TrainResult run(TrainConfig config, JavaSparkContext sc) throws IOException {
        String backend = BackendInfo.describe();
        LOG.info(backend);
        var hadoopConf = sc.hadoopConfiguration();
        RunFolder.checkTarget(config.output().path(), config.output().overwrite(), hadoopConf);
        DatasetPreparer.Plan plan = DatasetPreparer.plan(config.data(), hadoopConf);
        MultiLayerNetwork net;
        try {
            net = NetworkFactory.network(config.model().spec(), config.data().shape(), plan.classNames().size());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("model.layers: " + e.getMessage(), e);
        }
        ModelSummary summary = ModelSummary.of(net, config.model().spec().layers(), config.data().shape());
        LOG.info("Model summary:\n{}", summary.render());

        Instant started = Instant.now();
        RunFolder folder = RunFolder.begin(config.output().path(), config.output().overwrite(), hadoopConf);
        PreparedData data = null;
        TaskFailureListener faults = new TaskFailureListener();
        sc.sc().addSparkListener(faults);
        try {
            data = DatasetPreparer.prepare(sc, config.data(), plan, folder.temp() + "/" + RDD_CHECKPOINTS);
            TrainingOutcome outcome = SparkTrainer.train(sc, config.training(), config.model().spec().seed(), data, net);
            double testLoss = outcome.test().meanLoss() + net.calcRegularizationScore(true);
            writeModel(folder, net, data.scaling().toDl4jNormalizer());
            folder.writeString("summary.txt", summary.render());
            if (faults.failedAttempts() > 0 || faults.executorsLost() > 0) {
                LOG.warn("Spark retried {} failed task attempt(s) {} and lost {} executor(s) during this run",
                        faults.failedAttempts(), faults.reasons(), faults.executorsLost());
            }
            folder.writeString("metrics.json", JSON.writeValueAsString(metrics(outcome, testLoss, data, faults)));
            folder.writeString("manifest.json", JSON.writeValueAsString(
                    manifest(config, sc, data, backend, started, summary)));
            folder.delete(RDD_CHECKPOINTS); // the cached splits are released in finally
            String path = folder.commit().toString();
            LOG.info("Run written to {}", path);
            return new TrainResult(path, outcome, testLoss, outcome.test().accuracy(), data.classNames(),
                    data.countsPerSplit(), data.skipped(), data.fingerprint(), summary, backend, net);
        } catch (IOException | RuntimeException e) {
            folder.abort();
            throw e;
        } finally {
            sc.sc().removeSparkListener(faults);
            if (data != null) {
                data.unpersist();
            }
        }
    }

    /** model.zip with updater state and the fitted normalizer, loadable by ModelSerializer in plain DL4J. */
    static void writeModel(RunFolder folder, MultiLayerNetwork net, DataNormalization normalizer) throws IOException {
        // writeModel(.., normalizer) closes its zip stream early and fails against the commons-io that Spark 3.5
        // ships; writing the model first and adding the normalizer entry afterwards avoids that path
        java.nio.file.Path local = Files.createTempFile("sparkcnn-model", ".zip");
        try {
            ModelSerializer.writeModel(net, local.toFile(), true);
            ModelSerializer.addNormalizerToModel(local.toFile(), normalizer);
            try (OutputStream out = folder.create("model.zip")) {
                Files.copy(local, out);
            }
        } finally {
            Files.deleteIfExists(local);
        }
    }

    static Map<String, Object> metrics(TrainingOutcome o, double testLoss, PreparedData data,
                                       TaskFailureListener faults) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> history = new ArrayList<>();
        for (EpochRecord r : o.history()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", r.epoch());
            e.put("loss", r.loss());
            e.put("val_loss", r.valLoss());
            e.put("val_accuracy", r.valAccuracy());
            e.put("seconds", r.seconds());
            e.put("images_per_second", r.imagesPerSecond());
            e.put("improved", r.improved());
            history.add(e);
        }
        m.put("history", history);
        m.put("monitor", o.monitor());
        m.put("best_epoch", o.bestEpoch());
        m.put("best_value", o.bestValue());
        m.put("stop_reason", o.stopReason().jsonName());
        m.put("stopped_epoch", o.stoppedEpoch());
        m.put("restored_best_weights", o.restoredBestWeights());
        m.put("train_seconds", o.trainSeconds());
        m.put("workers", o.workers());
        // what Spark retried from decoding to the test evaluation
        m.put("faults", ordered("failed_task_attempts", faults.failedAttempts(),
                "executors_lost", faults.executorsLost(), "reasons", faults.reasons()));
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("loss", testLoss);
        test.put("accuracy", o.test().accuracy());
        test.put("images", o.test().count());
        test.put("confusion_matrix", o.test().confusion());
        test.put("class_names", data.classNames());
        m.put("test", test);
        return m;
    }

    static Map<String, Object> manifest(TrainConfig config, JavaSparkContext sc, PreparedData data, String backend,
                                        Instant started, ModelSummary summary) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("created", Instant.now().toString());
        m.put("started", started.toString());
        m.put("config", JSON.readTree(config.resolved()));
        m.put("config_fingerprint", "sha256:" + new Fingerprint().add(config.resolved()).hex());
        m.put("seed", ordered("data", config.data().seed(), "model", config.model().spec().seed()));
        m.put("versions", Versions.collect(sc.version(), BackendInfo.kind()));
        m.put("backend", backend);
        Map<String, Object> spark = new LinkedHashMap<>();
        spark.put("master", sc.master());
        spark.put("application_id", sc.sc().applicationId());
        spark.put("default_parallelism", sc.defaultParallelism());
        int executors = sc.sc().statusTracker().getExecutorInfos().length; // includes the driver
        spark.put("executors", Math.max(1, executors - 1));
        spark.put("training_partitions", data.partitions());
        m.put("spark", spark);
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("format", config.data().format().configName());
        dataset.put("sources", data.sources());
        dataset.put("fingerprint", "sha256:" + data.fingerprint());
        dataset.put("class_names", data.classNames());
        dataset.put("input_shape", ordered("height", data.shape().height(), "width", data.shape().width(),
                "channels", data.shape().channels()));
        Map<String, Object> counts = new LinkedHashMap<>();
        for (var e : data.countsPerSplit().entrySet()) {
            Map<String, Object> split = new LinkedHashMap<>();
            long total = 0;
            for (int c = 0; c < data.classNames().size(); c++) {
                split.put(data.classNames().get(c), e.getValue()[c]);
                total += e.getValue()[c];
            }
            counts.put(e.getKey(), ordered("total", total, "per_class", split));
        }
        dataset.put("counts", counts);
        dataset.put("scaling", ordered("kind", data.scaling().kind().configName(),
                data.scaling().kind() == io.sparkcnn.workers.FeatureScaling.Kind.MINMAX ? "min" : "mean", data.scaling().first(),
                data.scaling().kind() == io.sparkcnn.workers.FeatureScaling.Kind.MINMAX ? "max" : "std", data.scaling().second(),
                "fitted_on", "train"));
        dataset.put("skipped_count", data.skipped().size());
        List<Map<String, Object>> skipped = new ArrayList<>();
        for (SkippedFile s : data.skipped()) {
            skipped.add(ordered("path", s.path(), "split", s.split(), "reason", s.reason()));
        }
        dataset.put("skipped", skipped);
        m.put("dataset", dataset);
        m.put("model", ordered("preset", config.model().preset(), "total_params", summary.totalParams(),
                "trainable_params", summary.trainableParams()));
        return m;
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
