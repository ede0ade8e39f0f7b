package io.sparkcnn.driver.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.data.DatasetPreparer;
import io.sparkcnn.driver.data.HadoopConfHolder;
import io.sparkcnn.driver.data.HadoopFiles;
import io.sparkcnn.driver.data.ImageFolderLister;
import io.sparkcnn.driver.eval.Evaluation;
import io.sparkcnn.driver.output.RunFolder;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.SampleRef;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The predict job beside the SparkContext: list the images, decode and predict on the executors (model
 * broadcast once), write CSV part files from the executors into an unfinished folder with summary.json,
 * and rename it into place. Columns: path, predicted_class, probability, error, p_&lt;class&gt; for every
 * class; an undecodable image has its error filled and the rest empty.
 */
public final class PredictRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PredictRunner.class);
    static final String PREDICTIONS = "predictions";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PredictRunner() {
    }

    public static PredictResult run(PredictConfig config, JavaSparkContext sc) throws IOException {
        long start = System.nanoTime();
        Configuration hadoopConf = sc.hadoopConfiguration();
        RunFolder.checkTarget(config.output(), config.overwrite(), hadoopConf);
        LoadedModel model = LoadedModel.load(config.model(), hadoopConf);
        ImageShape shape = ModelInputs.shape(model, config.shape(), config.shape() != null, ModelInputs.ShapeSetting.PREDICT_OPTIONS);
        List<SampleRef> refs = list(config, hadoopConf);
        RunFolder.checkNotInput("--output", config.output(), io.sparkcnn.driver.output.JobInputs.ofPredict(config.model(),
                config.inputs(), config.inputLists(), refs), hadoopConf);
        List<String> classNames = model.classNames();
        LOG.info("Predicting {} images with {} ({} classes, input {})", refs.size(), model.uri(), classNames.size(),
                ModelInputs.describe(shape));

        RunFolder folder = RunFolder.beginFresh("predict", config.output(), config.overwrite(), hadoopConf);
        JavaRDD<String> lines = null;
        try (Evaluation network = Evaluation.of(sc, model.network())) {
            int partitions = config.partitions() > 0 ? config.partitions() : sc.defaultParallelism();
            Broadcast<HadoopConfHolder> conf = sc.broadcast(new HadoopConfHolder(hadoopConf));
            lines = DatasetPreparer.decodeOutcomes(sc, refs, partitions, conf, shape)
                    .mapPartitions(new PredictPartition(network.network(), shape, classNames, model.scaling()))
                    .persist(StorageLevel.MEMORY_AND_DISK_SER());
            lines.saveAsTextFile(new Path(folder.temp(), PREDICTIONS).toString());
            String header = PredictPartition.header(classNames);
            Map<String, Long> perClass = new TreeMap<>(lines.filter(l -> !l.equals(header))
                    .map(l -> fields(l).get(1)).countByValue());
            long errors = perClass.getOrDefault("", 0L);
            perClass.remove("");
            long rows = perClass.values().stream().mapToLong(Long::longValue).sum() + errors;

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("created", Instant.now().toString());
            summary.put("model", model.uri());
            summary.put("model_fingerprint", model.fingerprint());
            summary.put("inputs", config.inputs());
            summary.put("input_lists", config.inputLists());
            summary.put("input_shape", Map.of("height", shape.height(), "width", shape.width(), "channels", shape.channels()));
            summary.put("rows", rows);
            summary.put("errors", errors);
            summary.put("predicted_per_class", perClass);
            summary.put("columns", fields(header));
            summary.put("files", PREDICTIONS + "/part-* (CSV, header in each part)");
            summary.put("seconds", (System.nanoTime() - start) / 1e9);
            folder.writeString("summary.json", JSON.writeValueAsString(JsonFormat.stamped(summary)));
            String path = folder.commit().toString();
            LOG.info(String.format(Locale.ROOT, "Wrote %d predictions (%d could not be decoded) to %s/%s in %.1fs", rows,
                    errors, path, PREDICTIONS, (System.nanoTime() - start) / 1e9));
            return new PredictResult(path, rows, errors, perClass);
        } catch (Throwable e) { // a failed Spark job (SparkException, undeclared) too: nothing to resume, remove it
            folder.abort();
            throw e;
        } finally {
            if (lines != null) {
                lines.unpersist(false);
            }
        }
    }

    /** The images to predict, in a stable order: folders listed recursively (image extensions), files as given. */
    static List<SampleRef> list(PredictConfig config, Configuration conf) throws IOException {
        List<String> uris = new ArrayList<>();
        for (String input : config.inputs()) {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(conf);
            FileStatus status = HadoopFiles.existing(fs, path, "--input");
            if (!status.isDirectory()) {
                uris.add(fs.makeQualified(path).toString());
                continue;
            }
            List<String> found = new ArrayList<>();
            walk(fs, status.getPath(), found);
            found.sort(null);
            uris.addAll(found);
        }
        for (String list : config.inputLists()) {
            Path path = new Path(list);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    io.sparkcnn.driver.data.HadoopFiles.open(path, conf), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    line = line.trim();
                    if (!line.isEmpty() && !line.startsWith("#")) {
                        uris.add(line);
                    }
                }
            } catch (FileNotFoundException e) {
                throw new InvalidInputException("--input-list " + list + " does not exist");
            }
        }
        if (uris.isEmpty()) {
            throw new InvalidInputException("no images found in " + String.join(", ", config.inputs())
                    + (config.inputLists().isEmpty() ? "" : " or the lists " + String.join(", ", config.inputLists()))
                    + " (looked for " + String.join("/", ImageFolderLister.EXTENSIONS.stream().sorted().toList()) + ")");
        }
        List<SampleRef> refs = new ArrayList<>(uris.size());
        for (String uri : uris) {
            refs.add(SampleRef.file(uri, 0));
        }
        return refs;
    }

    /**
     * Image files below {@code dir}, hidden entries skipped. listStatus, not listFiles: on the local
     * FileSystem listFiles builds a LocatedFileStatus per file, which forks an `ls` to read permissions.
     * Symbolic links are followed, each folder and each file once (by real path on the local file system): a
     * link to a folder above it (a loop) would otherwise repeat its images until the path is too long.
     */
    private static void walk(FileSystem fs, Path dir, List<String> found) throws IOException {
        walk(fs, dir, found, new java.util.HashSet<>(List.of(realPath(dir))), new java.util.HashSet<>());
    }

    private static void walk(FileSystem fs, Path dir, List<String> found, java.util.Set<String> folders,
                             java.util.Set<String> files) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        java.util.Arrays.sort(entries); // by path: the first of two ways to one file or folder is the one kept
        for (FileStatus s : entries) {
            if (ImageFolderLister.hidden(s.getPath())) {
                continue;
            }
            if (s.isDirectory()) {
                if (folders.add(realPath(s.getPath()))) {
                    walk(fs, s.getPath(), found, folders, files);
                }
            } else if (ImageFolderLister.isImage(s.getPath().getName()) && files.add(realPath(s.getPath()))) {
                found.add(s.getPath().toString());
            }
        }
    }

    /** The real path of a local file (symbolic links resolved); other file systems have none: the path itself. */
    static String realPath(Path path) {
        if ("file".equals(path.toUri().getScheme())) {
            try {
                return java.nio.file.Paths.get(path.toUri()).toRealPath().toString();
            } catch (IOException | RuntimeException e) {
                // fall through
            }
        }
        return path.toString();
    }

    /**
     * A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). A field that a spreadsheet would
     * run as a formula (it begins with =, +, -, @, tab or carriage return: a class folder named =HYPERLINK(...))
     * gets a leading single quote inside quotes, as OWASP's CSV injection advice says, so it shows as text.
     */
    public static String csv(String value) {
        if (value == null) {
            return "";
        }
        boolean formula = !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0;
        String v = value.replace('\n', ' ').replace('\r', ' ');
        if (formula) {
            return "\"'" + v.replace("\"", "\"\"") + "\"";
        }
        return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }

    /** The fields of one CSV line as written by {@link #csv}. */
    public static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
