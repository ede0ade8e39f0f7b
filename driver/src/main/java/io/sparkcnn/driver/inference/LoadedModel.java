package io.sparkcnn.driver.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.common.Hashing;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.data.HadoopFiles;
import io.sparkcnn.driver.output.ModelFiles;
import io.sparkcnn.driver.output.RunManifest;
import io.sparkcnn.driver.output.RunMetrics;
import io.sparkcnn.driver.report.ReportJson;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained model read back for evaluate and predict: model.zip (from a run folder or named directly)
 * with its normalizer, plus what the run folder beside it knows (manifest.json: class names, input
 * shape, config; metrics.json: history; report.json: train and validation figures). The SHA-256 of
 * model.zip identifies the model in reports.
 */
public record LoadedModel(String uri, MultiLayerNetwork network, FeatureScaling scaling, String fingerprint,
                          Path runFolder, RunManifest manifest, RunMetrics metrics, ReportJson report) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Loads {@code uri}: a run folder holding model.zip, or a model.zip file. Errors name the URI (exit 2). */
    public static LoadedModel load(String uri, Configuration conf) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(conf);
            FileStatus status = HadoopFiles.existing(fs, path, "--model");
            Path zip = status.isDirectory() ? new Path(path, "model.zip") : path;
            if (!fs.exists(zip)) {
                throw new InvalidInputException("--model " + uri + " is a folder without model.zip (expected a run folder"
                        + " written by the train job, or the URI of a model.zip)");
            }
            Path folder = fs.makeQualified(zip).getParent();
            ModelFiles.Read read;
            try {
                read = ModelFiles.read(fs, zip, null, false);
            } catch (InvalidInputException e) {
                throw e; // refused by ModelZipCheck: the message names the file and the entry
            } catch (Exception | LinkageError e) {
                throw new InvalidInputException("--model " + zip + " is not a readable DL4J model.zip: " + e, e);
            }
            if (read.normalizer() == null) {
                throw new InvalidInputException("--model " + zip + " holds no normalizer; models written by the train"
                        + " job carry the scaling fitted on their training split");
            }
            FeatureScaling scaling;
            try {
                scaling = FeatureScaling.fromDl4jNormalizer(read.normalizer());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--model " + zip + ": " + e.getMessage(), e);
            }
            return new LoadedModel(uri, read.network(), scaling, Hashing.label(read.sha256()), folder,
                    readIfPresent(fs, folder, "manifest.json", RunManifest.class),
                    readIfPresent(fs, folder, "metrics.json", RunMetrics.class),
                    readIfPresent(fs, folder, "report.json", ReportJson.class));
        } catch (IOException e) {
            throw new InvalidInputException("--model " + uri + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** A typed file of the run folder beside model.zip, or null when there is none (a model.zip on its own). */
    private static <T> T readIfPresent(FileSystem fs, Path folder, String name, Class<T> type) throws IOException {
        Path path = new Path(folder, name);
        if (!fs.exists(path)) {
            return null;
        }
        try (InputStream in = fs.open(path)) {
            return JsonFormat.read(JSON.readTree(in), type, path.toString());
        }
    }

    /** Output classes of the network. */
    public int numClasses() {
        // numLabels() reads the last fitted labels; the output layer's width is what counts
        var layer = network.getLayerWiseConfigurations().getConf(network.getnLayers() - 1).getLayer();
        return (int) ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer).getNOut();
    }

    /** True when the train job recorded class names for every output. */
    public boolean hasClassNames() {
        return recordedClassNames().size() == numClasses();
    }

    /** Class names recorded by the train job, or "0", "1", ... when unknown. */
    public List<String> classNames() {
        List<String> names = new ArrayList<>(recordedClassNames());
        if (names.size() != numClasses()) {
            names.clear();
            for (int i = 0; i < numClasses(); i++) {
                names.add(Integer.toString(i));
            }
        }
        return names;
    }

    private List<String> recordedClassNames() {
        return manifest == null || manifest.dataset() == null || manifest.dataset().classNames() == null ? List.of()
                : manifest.dataset().classNames();
    }

    /** The input shape the model was trained at, when its manifest is known; else null. */
    public ImageShape shape() {
        if (manifest == null || manifest.dataset() == null || manifest.dataset().inputShape() == null) {
            return null;
        }
        return manifest.dataset().inputShape().toShape();
    }

    /** The run's per-epoch history (empty when unknown). */
    public List<EpochRecord> history() {
        return metrics == null ? List.of() : metrics.records();
    }
}
