package io.sparkcnn.driver.inference;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.DataConfig;
import io.sparkcnn.driver.data.DatasetPreparer;
import io.sparkcnn.driver.data.HadoopConfHolder;
import io.sparkcnn.driver.eval.Evaluation;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.output.JobInputs;
import io.sparkcnn.driver.output.RunFolder;
import io.sparkcnn.driver.output.RunMetrics;
import io.sparkcnn.driver.report.Diagnosis;
import io.sparkcnn.driver.report.ReportInput;
import io.sparkcnn.driver.report.ReportWriter;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.SampleRef;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluate job beside the SparkContext: load the model, check the dataset fits it, decode and evaluate
 * on the executors (model broadcast once, built lazily there), and write report.json/.md/.html into a
 * report folder atomically. Bad input fails before anything is written.
 */
public final class EvaluateRunner {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateRunner.class);

    private EvaluateRunner() {
    }

    public static EvaluateResult run(EvaluateConfig config, JavaSparkContext sc) throws IOException {
        long start = System.nanoTime();
        var hadoopConf = sc.hadoopConfiguration();
        RunFolder.checkTarget(config.output(), config.overwrite(), hadoopConf);
        LoadedModel model = LoadedModel.load(config.model(), hadoopConf);
        DataConfig data = config.data();
        EvaluateConfig.Split split = config.split();
        boolean shapeSet = config.shapeSet();
        if (data == null) {
            if (model.manifest() == null || model.manifest().config() == null) {
                throw new InvalidInputException("--model " + model.uri() + " has no manifest.json beside it, so it has no"
                        + " test split of its own: name a dataset (--set data.format=..., data.path=...)");
            }
            data = ConfigLoader.fromString(model.manifest().config().toString()).data();
            split = EvaluateConfig.Split.TEST;
            shapeSet = false;
        }
        ImageShape shape = ModelInputs.shape(model, data.shape(), shapeSet);
        data = data.withShape(shape);
        DatasetPreparer.Plan plan = DatasetPreparer.plan(data, hadoopConf);
        String source = String.join(", ", plan.sources());
        int[] toModel = ModelInputs.classMapping(model, plan.classNames(), source);
        List<SampleRef> planned = new ArrayList<>(plan.test());
        if (split == EvaluateConfig.Split.ALL) {
            planned.addAll(plan.train());
            planned.addAll(plan.validation());
        }
        List<SampleRef> refs = new ArrayList<>(planned.size());
        for (SampleRef r : planned) { // labels as the model numbers its outputs
            refs.add(r.withLabel(toModel[r.label()]));
        }
        String splitName = split == EvaluateConfig.Split.ALL ? "all" : "test";
        if (config.data() == null && model.manifest() != null
                && !plan.fingerprint().equals(recordedFingerprint(model))) {
            LOG.warn("The dataset {} changed since the model was trained (fingerprint {} then, {} now): its test"
                    + " split may differ", source, recordedFingerprint(model), plan.fingerprint());
        }

        RunFolder.checkNotInput("--output", config.output(), JobInputs.ofEvaluate(config.model(), data), hadoopConf);
        RunFolder folder = RunFolder.beginFresh("evaluate", config.output(), config.overwrite(), hadoopConf);
        JavaRDD<DecodeOutcome> outcomes = null;
        try {
            int partitions = data.partitions() > 0 ? data.partitions() : sc.defaultParallelism();
            Broadcast<HadoopConfHolder> conf = sc.broadcast(new HadoopConfHolder(hadoopConf));
            outcomes = DatasetPreparer.decodeOutcomes(sc, refs, partitions, conf, shape, data.maxImagePixels())
                    .persist(StorageLevel.MEMORY_AND_DISK_SER());
            List<DecodeOutcome> failures = outcomes.filter(o -> !o.isOk()).collect();
            for (DecodeOutcome f : failures) {
                LOG.warn("Skipped image {}: {}", f.skippedId(), f.reason());
            }
            JavaRDD<LabeledImage> images = outcomes.filter(DecodeOutcome::isOk).map(DecodeOutcome::image);
            EvaluationStats stats = Evaluation.on(sc, model.network(), images, shape, model.numClasses(), model.scaling(),
                    ReportWriter.GALLERY);
            if (stats.count() == 0) {
                throw new InvalidInputException("no decodable images in " + source + " (" + failures.size() + " skipped)");
            }
            double reg = model.network().calcRegularizationScore(true);
            List<EpochRecord> history = model.history();
            RunMetrics metrics = model.metrics();
            double seconds = (System.nanoTime() - start) / 1e9;
            String title = "Evaluation of " + model.runFolder().getName() + (config.data() == null ? " on its test split"
                    : " on " + new org.apache.hadoop.fs.Path(plan.sources().get(0)).getName());
            ReportInput input = new ReportInput(title, model.classNames(),
                    shape, stats, splitName, trainedSplit(model, "train"), trainedSplit(model, "validation"), history,
                    metrics == null ? -1 : metrics.bestEpoch(),
                    metrics == null ? -1 : metrics.stoppedEpoch(),
                    metrics == null || metrics.stopReason() == null ? "" : metrics.stopReason(),
                    metrics == null || metrics.monitor() == null ? "" : metrics.monitor(),
                    model.uri(), model.fingerprint(), source, plan.fingerprint(), seconds, reg);
            ReportWriter.Report report = ReportWriter.write(folder.fileSystem(), folder.temp(), input);
            if (!failures.isEmpty()) {
                StringBuilder csv = new StringBuilder("path,reason\n");
                for (DecodeOutcome f : failures) {
                    csv.append(PredictRunner.csv(f.skippedId())).append(',').append(PredictRunner.csv(f.reason())).append('\n');
                }
                folder.writeString("skipped.csv", csv.toString());
            }
            String path = folder.commit().toString();
            LOG.info(String.format(Locale.ROOT, "Evaluated %d images (%s split of %s): accuracy %.4f, loss %.4f, top-2"
                            + " %.4f; %d skipped. Report: %s", stats.count(), splitName, source, stats.accuracy(),
                    input.loss(), stats.top2Accuracy(), failures.size(), path));
            LOG.info("Diagnosis: {}", report.diagnosis().text());
            return new EvaluateResult(path, report, failures.size());
        } catch (Throwable e) { // a failed Spark job (SparkException, undeclared) too: nothing to resume, remove it
            folder.abort();
            throw e;
        } finally {
            if (outcomes != null) {
                outcomes.unpersist(false);
            }
        }
    }

    private static String recordedFingerprint(LoadedModel model) {
        return model.manifest().dataset() == null ? "" : model.manifest().dataset().fingerprint();
    }

    /** Train or validation figures of the final model as the train job's report recorded them, else unknown. */
    private static Diagnosis.Split trainedSplit(LoadedModel model, String split) {
        return model.report() == null ? ReportInput.UNKNOWN : model.report().split(split);
    }
}
