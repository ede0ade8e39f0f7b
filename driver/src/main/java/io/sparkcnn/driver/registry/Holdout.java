package io.sparkcnn.driver.registry;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.DataConfig;
import io.sparkcnn.driver.data.DatasetPreparer;
import io.sparkcnn.driver.data.HadoopConfHolder;
import io.sparkcnn.driver.eval.Evaluation;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.inference.LoadedModel;
import io.sparkcnn.driver.inference.ModelInputs;
import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.SampleRef;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry's fixed yardstick: every image of the holdout set, decoded once on the executors and
 * cached, then scored by the challenger and by the champion (each with its own scaling). Its labels are
 * the models' class numbering, matched by class name.
 */
public final class Holdout implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Holdout.class);

    private final JavaSparkContext sc;
    private final DataConfig config;
    private final List<String> classNames;
    private final List<String> sources;
    private final String fingerprint;
    private final JavaRDD<LabeledImage> images;
    private final long count;
    private final int skipped;

    private Holdout(JavaSparkContext sc, DataConfig config, List<String> classNames, List<String> sources,
                    String fingerprint, JavaRDD<LabeledImage> images, long count, int skipped) {
        this.sc = sc;
        this.config = config;
        this.classNames = classNames;
        this.sources = sources;
        this.fingerprint = fingerprint;
        this.images = images;
        this.count = count;
        this.skipped = skipped;
    }

    /** Lists the holdout and checks it against the model classes; touches no executor. Bad input fails here. */
    public static DatasetPreparer.Plan plan(DataConfig holdout, Configuration conf) {
        try {
            return DatasetPreparer.plan(holdout, conf);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("registry.holdout: " + e.getMessage().replace("data.path", "registry.holdout.path")
                    .replace("data.class-names", "data.class-names (for the holdout's labels)"), e);
        }
    }

    /**
     * Decodes the planned holdout with labels numbered as {@code modelClasses} (the challenger's classes).
     */
    public static Holdout decode(JavaSparkContext sc, DataConfig holdout, DatasetPreparer.Plan plan,
                                 List<String> modelClasses) {
        int[] toModel = ModelInputs.classMapping(modelClasses, plan.classNames(), "registry.holdout "
                + String.join(", ", plan.sources()));
        List<SampleRef> refs = new ArrayList<>();
        for (List<SampleRef> split : List.of(plan.train(), plan.validation(), plan.test())) {
            for (SampleRef r : split) {
                refs.add(r.withLabel(toModel[r.label()]));
            }
        }
        int partitions = holdout.partitions() > 0 ? holdout.partitions() : sc.defaultParallelism();
        Broadcast<HadoopConfHolder> conf = sc.broadcast(new HadoopConfHolder(sc.hadoopConfiguration()));
        JavaRDD<DecodeOutcome> outcomes = DatasetPreparer.decodeOutcomes(sc, refs, partitions, conf, holdout.shape(),
                holdout.maxImagePixels());
        JavaRDD<LabeledImage> images = outcomes.filter(DecodeOutcome::isOk).map(DecodeOutcome::image)
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        images.setName("holdout images");
        long count = images.count();
        int skipped = refs.size() - (int) count;
        if (count == 0) {
            throw new InvalidInputException("registry.holdout: no decodable images in " + String.join(", ", plan.sources()));
        }
        if (skipped > 0) {
            LOG.warn("Holdout: {} of {} images could not be decoded and are left out", skipped, refs.size());
        }
        LOG.info("Holdout: {} images from {} ({})", count, String.join(", ", plan.sources()), plan.fingerprint());
        return new Holdout(sc, holdout, modelClasses, plan.sources(), plan.fingerprint(), images, count, skipped);
    }

    /** Scores a model on the holdout (no gallery: the comparison shows metrics and confusion matrices). */
    public EvaluationStats evaluate(LoadedModel model) {
        return Evaluation.on(sc, model.network(), images, config.shape(), classNames.size(), model.scaling(), 0);
    }

    public List<String> classNames() {
        return classNames;
    }

    public List<String> sources() {
        return sources;
    }

    public String fingerprint() {
        return fingerprint;
    }

    public long count() {
        return count;
    }

    public int skipped() {
        return skipped;
    }

    /**
     * Fails when the holdout shares images with the training data: a folder inside the other, or the same
     * IDX file. Scores on images a model trained on would flatter it.
     */
    public static void checkDisjoint(List<String> holdoutSources, List<String> trainSources, Configuration conf) {
        for (String h : holdoutSources) {
            for (String t : trainSources) {
                String hq = qualified(h, conf);
                String tq = qualified(t, conf);
                if (hq.equals(tq) || hq.startsWith(tq + "/") || tq.startsWith(hq + "/")) {
                    throw new InvalidInputException("registry.holdout " + h + " overlaps the training data " + t
                            + ": keep the holdout out of data.path, or its scores flatter the models");
                }
            }
        }
    }

    private static String qualified(String uri, Configuration conf) {
        try {
            Path p = new Path(uri);
            FileSystem fs = p.getFileSystem(conf);
            String q = fs.makeQualified(p).toString();
            return q.endsWith("/") ? q.substring(0, q.length() - 1) : q;
        } catch (IOException e) {
            return uri;
        }
    }

    @Override
    public void close() {
        images.unpersist(false);
    }
}
