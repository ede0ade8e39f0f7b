package io.sparkcnn.driver.train;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.TrainJobConfig;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.apache.spark.SparkConf;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses, before any network is built (DL4J's {@code init()} allocates the parameters) and before any Spark
 * work, an input shape and network that cannot fit: an image above {@code data.max-image-pixels}, or a worker
 * whose off-heap arrays would exceed the JVM's {@code org.bytedeco.javacpp.maxbytes} (this JVM's, and the
 * executors' from {@code spark.executor.extraJavaOptions} when set). Without it a 100000x100000 input ends in
 * {@code std::bad_alloc} and a long native trace. The estimate is a lower bound (docs/cluster.md, Memory):
 * parameters x 4 bytes x (weights + gradients + updater state) plus the activations of a batch (every layer's
 * output x batch x 4 bytes x 2 for training) plus the input batches in flight (1 + prefetch).
 */
public final class MemoryEstimate {
    static final String MAXBYTES = "org.bytedeco.javacpp.maxbytes";
    private static final Pattern MAXBYTES_OPTION = Pattern.compile("-D" + Pattern.quote(MAXBYTES) + "=(\\S+)");

    /** Bytes of one worker's off-heap arrays, and of the model part alone (what the driver holds). */
    public record Need(long parameters, int updaterCopies, long activationFloatsPerImage, int batch,
                       long inputFloatsPerImage, int batchesInFlight) {
        public long modelBytes() {
            return sat(parameters, 4L * (2 + updaterCopies));
        }

        public long activationBytes() {
            return sat(sat(activationFloatsPerImage, batch), 4L * 2);
        }

        public long inputBytes() {
            return sat(sat(inputFloatsPerImage, batch), 4L * batchesInFlight);
        }

        public long workerBytes() {
            return satAdd(satAdd(modelBytes(), activationBytes()), inputBytes());
        }
    }

    private MemoryEstimate() {
    }

    /**
     * Throws an {@link InvalidInputException} naming the keys and the numbers when the configured shape, batch
     * and layers cannot fit; does nothing when the layer list itself is invalid (NetworkFactory says why).
     */
    public static void check(TrainJobConfig config, int numClasses, SparkConf spark) {
        ImageShape shape = config.data().shape();
        long pixels = (long) shape.height() * shape.width();
        if (pixels > config.data().maxImagePixels()) {
            throw new InvalidInputException(String.format(Locale.ROOT, "data.height x data.width = %dx%d is %s per"
                            + " image, above data.max-image-pixels = %d: the network's input would not fit (an input image"
                            + " that large is not even decoded); use a smaller data.height and data.width",
                    shape.height(), shape.width(), megapixels(pixels), config.data().maxImagePixels()));
        }
        Optional<Need> need = estimate(config, numClasses);
        if (need.isEmpty()) {
            return;
        }
        String master = spark.get("spark.master", "local[*]");
        boolean local = master.equals("local") || master.startsWith("local[");
        long here = Pointer.maxBytes();
        // in local mode the workers train in this JVM; otherwise this JVM (the driver) holds the model
        String hereName = MAXBYTES + " of this JVM" + (local ? " (local mode: the workers train in it)" : " (the driver)");
        if (here > 0 && (local ? need.get().workerBytes() : need.get().modelBytes()) > here) {
            throw refusal(config, need.get(), local, here, hereName);
        }
        Optional<Long> executors = executorMaxBytes(spark);
        if (!local && executors.isPresent() && executors.get() > 0 && need.get().workerBytes() > executors.get()) {
            throw refusal(config, need.get(), true, executors.get(), MAXBYTES + " of spark.executor.extraJavaOptions");
        }
    }

    /** The estimate for this config, or empty when the layer list does not build (reported elsewhere). */
    public static Optional<Need> estimate(TrainJobConfig config, int numClasses) {
        ImageShape shape = config.data().shape();
        MultiLayerConfiguration conf;
        List<InputType> outputs;
        try {
            conf = NetworkFactory.configuration(config.model().spec(), shape, numClasses);
            outputs = conf.getLayerActivationTypes(InputType.convolutional(shape.height(), shape.width(),
                    shape.channels()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        long parameters = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            var layerConf = conf.getConf(i);
            parameters = satAdd(parameters, layerConf.getLayer().initializer().numParams(layerConf));
        }
        long activations = 0;
        for (InputType t : outputs) {
            activations = satAdd(activations, t.arrayElementsPerExample());
        }
        long inputFloats = (long) shape.channels() * shape.height() * shape.width();
        return Optional.of(new Need(parameters, updaterCopies(config.model().spec().optimizer()), activations,
                config.training().batchSizePerWorker(), inputFloats, 1 + config.training().prefetch()));
    }

    /** Copies of the parameters an optimizer keeps (Adam: two moments). */
    static int updaterCopies(Optimizer optimizer) {
        return switch (optimizer) {
            case SGD -> 0;
            case MOMENTUM, NESTEROV, ADAGRAD, RMSPROP -> 1;
            case ADAM, ADADELTA -> 2;
        };
    }

    /** -Dorg.bytedeco.javacpp.maxbytes of spark.executor.extraJavaOptions (the last one wins, as in java). */
    static Optional<Long> executorMaxBytes(SparkConf spark) {
        Matcher m = MAXBYTES_OPTION.matcher(spark.get("spark.executor.extraJavaOptions", ""));
        String value = null;
        while (m.find()) {
            value = m.group(1);
        }
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Pointer.parseBytes(value.replaceAll("^[\"']|[\"']$", ""), Long.MAX_VALUE));
        } catch (NumberFormatException e) {
            return Optional.empty(); // not ours to validate: javacpp says so in the executor
        }
    }

    private static InvalidInputException refusal(TrainJobConfig config, Need n, boolean worker, long limit, String what) {
        ImageShape shape = config.data().shape();
        String layers = "model.layers (" + ("custom".equals(config.model().preset()) ? "custom"
                : "preset " + config.model().preset()) + ")";
        String optimizer = config.model().spec().optimizer().configName();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "the network does not fit in memory:"
                        + " data.height x data.width = %dx%d, training.batch-size-per-worker = %d and %s need about %s per"
                        + " %s: %,d parameters x 4 bytes x %d (weights, gradients%s) = %s",
                shape.height(), shape.width(), n.batch(), layers, bytes(worker ? n.workerBytes() : n.modelBytes()),
                worker ? "worker" : "driver", n.parameters(), 2 + n.updaterCopies(),
                n.updaterCopies() == 0 ? "" : ", " + optimizer + "'s " + n.updaterCopies() + " state cop"
                        + (n.updaterCopies() == 1 ? "y" : "ies"), bytes(n.modelBytes())));
        if (worker) {
            sb.append(String.format(Locale.ROOT, ", activations %,d floats per image x %d images x 4 bytes x 2 = %s,"
                            + " input batches %d x %d images x %,d floats x 4 bytes = %s", n.activationFloatsPerImage(),
                    n.batch(), bytes(n.activationBytes()), n.batchesInFlight(), n.batch(), n.inputFloatsPerImage(),
                    bytes(n.inputBytes())));
        }
        sb.append(String.format(Locale.ROOT, "; above %s = %s. Use a smaller data.height and data.width, a smaller"
                + " training.batch-size-per-worker or fewer/smaller layers (model.layers), or raise -D%s", what,
                bytes(limit), MAXBYTES));
        return new InvalidInputException(sb.toString());
    }

    static String bytes(long b) {
        if (b >= 1L << 40) {
            return String.format(Locale.ROOT, "%.1f TiB", b / (double) (1L << 40));
        }
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
    }

    private static String megapixels(long pixels) {
        return pixels >= 1_000_000_000L ? String.format(Locale.ROOT, "%.1f gigapixels", pixels / 1e9)
                : String.format(Locale.ROOT, "%.1f megapixels", pixels / 1e6);
    }

    private static long sat(long a, long b) {
        long r = a * b;
        return (a != 0 && (r / a != b || r < 0)) ? Long.MAX_VALUE : r;
    }

    private static long satAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }
}
