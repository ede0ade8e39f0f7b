package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.driver.TrainRunner;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.driver.data.ChannelStats;
import io.sparkcnn.driver.data.DatasetPreparer;
import io.sparkcnn.driver.data.DecodePartition;
import io.sparkcnn.driver.data.IdxFile;
import io.sparkcnn.driver.data.ImageFolderLister;
import io.sparkcnn.driver.data.PreparedData;
import io.sparkcnn.driver.data.Split;
import io.sparkcnn.driver.eval.Evaluation;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.driver.train.SparkTrainer;
import io.sparkcnn.workers.BackendInfo;
import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.Minibatches;
import io.sparkcnn.workers.SampleRef;
import io.sparkcnn.workers.TrainingBatches;
import io.sparkcnn.workers.model.NetworkFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The benchmark modes. Every training mode reads one train job config (the demo's: LeNet, Adam, batch 64,
 * seed 42 on Fashion-MNIST), trains a fixed number of epochs without early stopping, and after each
 * epoch measures test accuracy outside the timed part. Training seconds count the fit only (for Spark:
 * batching, broadcasting, fitting and averaging; not the validation or test passes), as PyTorch's do.
 */
public final class Bench {
    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Bench() {
    }

    /** What a training mode was asked to do. */
    public record Settings(File config, List<String> overrides, int epochs, List<Double> targets, String name, File output) {
        TrainJobConfig trainConfig() {
            List<String> all = new ArrayList<>(overrides);
            all.add("training.max-epochs=" + epochs);
            all.add("training.early-stopping.patience=" + (epochs + 1)); // never stops early
            all.add("training.early-stopping.restore-best-weights=false");
            return ConfigLoader.load(config, all);
        }
    }

    /** The train job's epoch loop (SparkTrainer, parameter averaging) under the master spark-submit gives. */
    public static void spark(Settings s) throws IOException {
        TrainJobConfig cfg = s.trainConfig();
        BenchResult result = new BenchResult(s.name(), "spark");
        try (PeakMemory memory = new PeakMemory();
             JavaSparkContext sc = new JavaSparkContext(new SparkConf().setAppName("sparkcnn-bench"))) {
            String backend = BackendInfo.describe();
            Path scratch = Files.createTempDirectory("sparkcnn-bench");
            DatasetPreparer.Plan plan = DatasetPreparer.plan(cfg.data(), sc.hadoopConfiguration());
            PreparedData data = DatasetPreparer.prepare(sc, cfg.data(), plan, scratch.toUri().toString());
            MultiLayerNetwork net = NetworkFactory.network(cfg.model().spec(), cfg.data().shape(), plan.classNames().size());
            // the job's own training minibatches (augmentation, label smoothing): the PyTorch CIFAR reference does the same
            TrainingBatches batches = new TrainingBatches(cfg.data().augment(), cfg.model().labelSmoothing());
            SparkTrainer.train(sc, cfg.training(), cfg.model().spec().seed(), data, batches, net, null, (state, network) -> {
                EpochRecord r = state.history().get(state.history().size() - 1);
                double fitSeconds = r.trainImages() / r.imagesPerSecond();
                EvaluationStats test = Evaluation.on(sc, network, data.test(), data.shape(), data.numClasses(),
                        data.scaling(), 0);
                result.epoch(r.epoch(), fitSeconds, r.trainImages(), test.accuracy());
                LOG.info(String.format(Locale.ROOT, "bench %s epoch %d: %.1f s training, %.0f images/s, test accuracy %.4f",
                        s.name(), r.epoch(), fitSeconds, r.imagesPerSecond(), test.accuracy()));
            }, TrainRunner.schedule(cfg));
            result.put("master", sc.master()).put("workers", SparkTrainer.workers(sc, cfg.training()))
                    .put("train_images", data.count(Split.TRAIN)).put("backend", backend);
            data.unpersist();
            finish(result, s, cfg, memory);
        }
    }

    /** DL4J without Spark: MultiLayerNetwork.fit over the same training split, net, optimizer and batch size. */
    public static void singleJvm(Settings s) throws IOException {
        TrainJobConfig cfg = s.trainConfig();
        BenchResult result = new BenchResult(s.name(), "single-jvm");
        try (PeakMemory memory = new PeakMemory()) {
            // OpenMP on every core, one BLAS thread: the two pools collide otherwise (NativeThreads)
            io.sparkcnn.workers.NativeThreads.limit(Runtime.getRuntime().availableProcessors());
            String backend = BackendInfo.describe();
            Configuration conf = new Configuration();
            DatasetPreparer.Plan plan = DatasetPreparer.plan(cfg.data(), conf);
            ImageShape shape = cfg.data().shape();
            List<LabeledImage> train = decode(plan.train(), conf, shape);
            List<LabeledImage> test = decode(plan.test(), conf, shape);
            ChannelStats stats = new ChannelStats(shape.channels());
            train.forEach(stats::add);
            FeatureScaling scaling = stats.toScaling(cfg.data().scaling());
            int classes = plan.classNames().size();
            int batch = cfg.training().batchSizePerWorker();
            MultiLayerNetwork net = NetworkFactory.network(cfg.model().spec(), shape, classes);
            if (!cfg.data().augment().isNone() || cfg.model().labelSmoothing() > 0) {
                LOG.warn("The single-JVM mode trains without data.augment.* and model.label-smoothing (set in {}):"
                        + " it fits the images as they are", s.config());
            }
            for (int epoch = 1; epoch <= s.epochs(); epoch++) {
                List<LabeledImage> order = new ArrayList<>(train);
                Collections.shuffle(order, new Random(cfg.data().seed() + epoch));
                long start = System.nanoTime();
                for (int i = 0; i < order.size(); i += batch) {
                    net.fit(Minibatches.toDataSet(order.subList(i, Math.min(order.size(), i + batch)), shape, classes, scaling));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double accuracy = accuracy(net, test, shape, classes, scaling);
                result.epoch(epoch, seconds, order.size(), accuracy);
                LOG.info(String.format(Locale.ROOT, "bench %s epoch %d: %.1f s training, %.0f images/s, test accuracy %.4f",
                        s.name(), epoch, seconds, order.size() / seconds, accuracy));
            }
            result.put("master", "none").put("workers", 1).put("train_images", train.size()).put("backend", backend);
            finish(result, s, cfg, memory);
        }
    }

    private static void finish(BenchResult result, Settings s, TrainJobConfig cfg, PeakMemory memory) throws IOException {
        result.summarize(s.targets());
        result.put("model", cfg.model().preset()).put("optimizer", cfg.model().spec().optimizer().configName())
                .put("learning_rate", cfg.model().spec().learningRate())
                .put("batch_size", cfg.training().batchSizePerWorker())
                .put("averaging_frequency", cfg.training().averagingFrequency())
                .put("seed", cfg.model().spec().seed());
        result.put("peak_memory_mb", Map.of("driver", memory.driverPeakBytes() / 1048576,
                "executor_max", memory.executorPeakBytes() / 1048576, "executor_jvms", memory.executors()));
        JSON.writeValue(s.output(), result.json);
        LOG.info("bench {}: {}", s.name(), JSON.writeValueAsString(result.json));
    }

    private static List<LabeledImage> decode(List<SampleRef> refs, Configuration conf, ImageShape shape) {
        Map<String, IdxFile> cache = new HashMap<>();
        List<LabeledImage> images = new ArrayList<>(refs.size());
        for (SampleRef r : refs) {
            DecodeOutcome o = DecodePartition.decode(r, cache, conf, shape);
            if (o.isOk()) {
                images.add(o.image());
            }
        }
        return images;
    }

    private static double accuracy(MultiLayerNetwork net, List<LabeledImage> images, ImageShape shape, int classes,
                                   FeatureScaling scaling) {
        long correct = 0;
        for (int i = 0; i < images.size(); i += 256) {
            DataSet ds = Minibatches.toDataSet(images.subList(i, Math.min(images.size(), i + 256)), shape, classes, scaling);
            INDArray predicted = net.output(ds.getFeatures(), false).argMax(1);
            INDArray actual = ds.getLabels().argMax(1);
            correct += predicted.eq(actual).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue();
        }
        return (double) correct / images.size();
    }

    /**
     * Decoding and batching alone, on one core: IDX records (the executors' path) and PNG files in an image
     * folder written for the purpose (listing, reading, decoding, resizing, batching).
     */
    public static void dataPath(File config, List<String> overrides, int images, int folderImages, File output)
            throws IOException {
        TrainJobConfig cfg = ConfigLoader.load(config, overrides);
        Configuration conf = new Configuration();
        ImageShape shape = cfg.data().shape();
        DatasetPreparer.Plan plan = DatasetPreparer.plan(cfg.data(), conf);
        List<SampleRef> refs = plan.train().subList(0, Math.min(images, plan.train().size()));
        int classes = plan.classNames().size();
        FeatureScaling scaling = FeatureScaling.minMax(new double[shape.channels()], filled(shape.channels(), 255));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "data path (one core)");
        m.put("mode", "data-path");

        decodeAndBatch(refs.subList(0, Math.min(1000, refs.size())), conf, shape, classes, scaling); // warm-up
        long t0 = System.nanoTime();
        int n = decodeAndBatch(refs, conf, shape, classes, scaling);
        m.put("idx_images", n);
        m.put("idx_images_per_second", n / ((System.nanoTime() - t0) / 1e9));

        Path folder = Files.createTempDirectory("sparkcnn-bench-folder");
        try {
            List<LabeledImage> sample = decode(refs.subList(0, Math.min(folderImages, refs.size())), conf, shape);
            for (LabeledImage img : sample) {
                Path dir = Files.createDirectories(folder.resolve(plan.classNames().get(img.label()).replaceAll("[^A-Za-z0-9]", "-")));
                BufferedImage bi = new BufferedImage(shape.width(), shape.height(), BufferedImage.TYPE_BYTE_GRAY);
                bi.getRaster().setDataElements(0, 0, shape.width(), shape.height(), img.pixels());
                ImageIO.write(bi, "png", dir.resolve(Math.abs(img.id().hashCode()) + ".png").toFile());
            }
            long t1 = System.nanoTime();
            ImageFolderLister.Listing listing = ImageFolderLister.list(folder.toUri().toString(), conf);
            List<SampleRef> files = listing.files().stream().map(f -> SampleRef.file(f.uri(), f.label())).toList();
            int decoded = decodeAndBatch(files, conf, shape, classes, scaling);
            m.put("image_folder_images", decoded);
            m.put("image_folder_images_per_second", decoded / ((System.nanoTime() - t1) / 1e9));
        } finally {
            try (var walk = Files.walk(folder)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        JSON.writeValue(output, m);
        LOG.info("bench data path: {}", JSON.writeValueAsString(m));
    }

    private static int decodeAndBatch(List<SampleRef> refs, Configuration conf, ImageShape shape, int classes,
                                      FeatureScaling scaling) {
        Map<String, IdxFile> cache = new HashMap<>();
        List<LabeledImage> batch = new ArrayList<>(64);
        int n = 0;
        for (SampleRef r : refs) {
            DecodeOutcome o = DecodePartition.decode(r, cache, conf, shape);
            if (o.isOk()) {
                batch.add(o.image());
                n++;
            }
            if (batch.size() == 64) {
                Minibatches.toDataSet(batch, shape, classes, scaling);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            Minibatches.toDataSet(batch, shape, classes, scaling);
        }
        return n;
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /**
     * Where the time of one minibatch goes in a single JVM: fit (forward, backward, Adam update), the forward
     * pass alone and each layer's share of it, and ND4J's per-op profile over a few batches (logged).
     */
    public static String profile(File config, List<String> overrides, int batches, int threads) {
        TrainJobConfig cfg = ConfigLoader.load(config, overrides);
        if (threads > 0) {
            io.sparkcnn.workers.NativeThreads.limit(threads);
        }
        Configuration conf = new Configuration();
        DatasetPreparer.Plan plan = DatasetPreparer.plan(cfg.data(), conf);
        ImageShape shape = cfg.data().shape();
        int batch = cfg.training().batchSizePerWorker();
        int classes = plan.classNames().size();
        List<LabeledImage> images = decode(plan.train().subList(0, Math.min(plan.train().size(), batch * batches)), conf, shape);
        FeatureScaling scaling = FeatureScaling.minMax(new double[shape.channels()], filled(shape.channels(), 255));
        List<DataSet> sets = new ArrayList<>();
        for (int i = 0; i + batch <= images.size(); i += batch) {
            sets.add(Minibatches.toDataSet(images.subList(i, i + batch), shape, classes, scaling));
        }
        MultiLayerNetwork net = NetworkFactory.network(cfg.model().spec(), shape, classes);
        for (int i = 0; i < Math.min(20, sets.size()); i++) { // warm-up: workspaces, JIT
            net.fit(sets.get(i));
        }
        long t0 = System.nanoTime();
        for (DataSet ds : sets) {
            net.fit(ds);
        }
        double fitMs = (System.nanoTime() - t0) / 1e6 / sets.size();
        int layers = net.getnLayers();
        double[] cumulative = new double[layers];
        for (int l = 0; l < layers; l++) {
            long t = System.nanoTime();
            for (DataSet ds : sets) {
                net.feedForwardToLayer(l, ds.getFeatures(), true);
            }
            cumulative[l] = (System.nanoTime() - t) / 1e6 / sets.size();
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Profile: %s, batch %d, %d batches, %s%n", cfg.model().preset(), batch,
                sets.size(), BackendInfo.describe()));
        out.append(String.format(Locale.ROOT, "fit (forward + backward + %s update): %.2f ms per batch = %.0f images/s%n",
                cfg.model().spec().optimizer().configName(), fitMs, batch * 1000 / fitMs));
        out.append("layer helpers: ").append(io.sparkcnn.workers.LayerHelpers.describe(net)).append('\n');
        double flops = trainingFlopsPerImage(net, sets.get(0).getFeatures());
        double achieved = flops * batch / fitMs / 1e6;
        double peak = gemmGflops(1024, 20);
        int usedThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        out.append(String.format(Locale.ROOT, "training: %.1f MFLOP per image (3x the forward convolutions and matmuls): "
                        + "%.1f GFLOP/s = %.1f per thread; sgemm 1024^3 peak here: %.1f GFLOP/s (%.0f%% of it)%n",
                flops / 1e6, achieved, achieved / usedThreads, peak, 100 * achieved / peak));
        double forward = cumulative[layers - 1];
        out.append(String.format(Locale.ROOT, "forward (training mode): %.2f ms (%.0f%%); backward + update: %.2f ms (%.0f%%)%n",
                forward, 100 * forward / fitMs, fitMs - forward, 100 * (fitMs - forward) / fitMs));
        for (int l = 0; l < layers; l++) {
            double own = cumulative[l] - (l == 0 ? 0 : cumulative[l - 1]);
            out.append(String.format(Locale.ROOT, "  forward layer %d %-22s %6.2f ms%n", l,
                    net.getLayer(l).getClass().getSimpleName(), Math.max(0, own)));
        }
        Nd4j.getExecutioner().setProfilingMode(org.nd4j.linalg.api.ops.executioner.OpExecutioner.ProfilingMode.OPERATIONS);
        org.nd4j.linalg.profiler.OpProfiler.getInstance().reset();
        for (DataSet ds : sets.subList(0, Math.min(20, sets.size()))) {
            net.fit(ds);
        }
        Nd4j.getExecutioner().setProfilingMode(org.nd4j.linalg.api.ops.executioner.OpExecutioner.ProfilingMode.DISABLED);
        out.append("ND4J ops during 20 fits (share of op time):\n").append(opShares(dashboard()));
        return out.toString();
    }

    /**
     * Multiply-adds of one training image: 3x the forward convolutions and matmuls (forward, input gradient,
     * weight gradient); pooling, batch norm and activations are left out (a few percent).
     */
    static double trainingFlopsPerImage(MultiLayerNetwork net, org.nd4j.linalg.api.ndarray.INDArray batch) {
        List<org.nd4j.linalg.api.ndarray.INDArray> acts = net.feedForward(batch.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)), false);
        double forward = 0;
        for (int l = 0; l < net.getnLayers(); l++) {
            org.nd4j.linalg.api.ndarray.INDArray w = net.getLayer(l).getParam("W");
            if (w == null) {
                continue;
            }
            if (w.rank() == 4) { // [nOut, nIn, kH, kW]: every output element costs nIn*kH*kW multiply-adds
                forward += 2.0 * acts.get(l + 1).length() * w.size(1) * w.size(2) * w.size(3);
            } else if (w.rank() == 2) {
                forward += 2.0 * w.size(0) * w.size(1);
            }
        }
        return 3 * forward;
    }

    /** Single-precision gemm speed of this JVM's BLAS with its current threads: the machine's practical peak. */
    static double gemmGflops(int n, int repeats) {
        org.nd4j.linalg.api.ndarray.INDArray a = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        org.nd4j.linalg.api.ndarray.INDArray b = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        org.nd4j.linalg.api.ndarray.INDArray c = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        for (int i = 0; i < 3; i++) {
            a.mmuli(b, c);
        }
        long t = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            a.mmuli(b, c);
        }
        return 2.0 * n * n * n * repeats / ((System.nanoTime() - t) / 1e9) / 1e9;
    }

    /** ND4J's profiler dashboard, which it prints to System.out (several hundred lines with stack traces). */
    private static String dashboard() {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            org.nd4j.linalg.profiler.OpProfiler.getInstance().printOutDashboard();
        } finally {
            System.setOut(original);
        }
        return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The dashboard's last table (time per op name) as "  op  share%  ms" lines. */
    static String opShares(String dashboard) {
        StringBuilder out = new StringBuilder();
        int last = dashboard.lastIndexOf("Total time spent:");
        if (last < 0) {
            return "  (no ND4J op profile)\n";
        }
        java.util.regex.Pattern row = java.util.regex.Pattern.compile(
                "^\\w+ (\\w+) \\(.*\\)\\s+>>>\\s+perc: ([0-9.]+) Time spent: (\\d+) ms$");
        for (String line : dashboard.substring(last).split("\n")) {
            java.util.regex.Matcher m = row.matcher(line.trim());
            if (m.matches()) {
                out.append(String.format(Locale.ROOT, "  %-16s %5.1f%% %6s ms%n", m.group(1), Double.parseDouble(m.group(2)),
                        m.group(3)));
            }
        }
        return out.toString();
    }

    /** Joins every result JSON in {@code results} into bench.json and returns the table. */
    public static String summarize(File results, File output) throws IOException {
        return BenchSummary.write(results, output);
    }

}
