package io.sparkcnn.workers;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.nativeblas.Nd4jCpu;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * DL4J's layer helpers: convolution, pooling and batch norm through oneDNN on the CPU backend (cuDNN on
 * CUDA) instead of DL4J's own im2col + gemm path, about 3x faster for LeNet on a CPU core.
 *
 * <p>DL4J 1.0.0-M2.1 ships them switched off: {@code HelperUtils.createHelper} returns no helper unless the
 * system property {@value #DISABLE_PROPERTY} is {@code false}, and it reads the property when each layer
 * is constructed. So every JVM that builds a network (the driver, each executor) calls {@link #enable()}
 * before building one; the jobs do it themselves rather than rely on a spark-submit option a user may
 * not pass. Setting the property to {@code true} (for example
 * {@code spark.executor.extraJavaOptions=-Dorg.eclipse.deeplearning4j.helpers.disable=true}) keeps
 * DL4J's builtin path. The oneDNN helpers also need a libnd4j built with oneDNN (the
 * {@code linux-x86_64-onednn} natives) and the {@link Nd4jCpu} shim. Batch norm layers then get our
 * {@link BatchStatsBatchNormHelper} in place of DL4J's ({@link #useBatchStatsBatchNorm}).
 */
public final class LayerHelpers {
    public static final String DISABLE_PROPERTY = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;

    private LayerHelpers() {
    }

    /**
     * Switches the helpers on in this JVM for networks built from now on, unless the property was set
     * (then the user decided). Cheap and idempotent. Returns whether helpers are requested.
     */
    public static boolean enable() {
        if (System.getProperty(DISABLE_PROPERTY) == null) {
            System.setProperty(DISABLE_PROPERTY, "false");
        }
        return requested();
    }

    /** Whether networks built now would ask for helpers (the property says so). */
    public static boolean requested() {
        return !Boolean.parseBoolean(System.getProperty(DISABLE_PROPERTY, DL4JSystemProperties.HELPER_DISABLE_DEFAULT_VALUE));
    }

    /** Whether this JVM's libnd4j has oneDNN and uses it (always false on the CUDA backend). */
    public static boolean oneDnnAvailable() {
        return BackendInfo.kind().equals("CPU") && Nd4jCpu.Environment.getInstance().isUseMKLDNN();
    }

    /**
     * The cuDNN helper classes DL4J's layers ask {@code HelperUtils.createHelper} for on the CUDA backend
     * (after the same property check as on the CPU). They lived in {@code deeplearning4j-cuda-11.6}, which
     * was not published for 1.0.0-M2/M2.1: without them the layers run their builtin path on the GPU.
     */
    public static final List<String> CUDNN_HELPER_CLASSES = List.of(
            ConvolutionLayer.CUDA_CNN_HELPER_CLASS_NAME,
            SubsamplingLayer.CUDNN_SUBSAMPLING_HELPER_CLASS_NAME,
            BatchNormalization.BATCH_NORM_CUDNN_HELPER_CLASS_NAME);

    /** The cuDNN helper classes of {@link #CUDNN_HELPER_CLASSES} that this JVM cannot load. */
    public static List<String> missingCudnnHelpers() {
        return CUDNN_HELPER_CLASSES.stream().filter(name -> {
            try {
                Class.forName(name, false, LayerHelpers.class.getClassLoader());
                return false;
            } catch (ClassNotFoundException | LinkageError e) {
                return true;
            }
        }).toList();
    }

    /**
     * Gives every batch norm layer of {@code net} that runs DL4J's oneDNN helper a {@link BatchStatsBatchNormHelper}
     * instead (the same ops, without DL4J's slow batch variance and oneDNN's slower backward). Layers on the builtin
     * path or on another helper are left alone. Returns how many layers were switched. DL4J picks a layer's helper
     * in the layer's constructor and offers no setter, so this sets the layer's package-private field; if a DL4J
     * version renames it, the layers keep DL4J's helper and the backend line shows {@code oneDNN}.
     */
    public static int useBatchStatsBatchNorm(MultiLayerNetwork net) {
        int switched = 0;
        if (BATCH_NORM_HELPER_FIELD == null) {
            return switched;
        }
        for (Layer layer : net.getLayers()) {
            if (layer instanceof BatchNormalization && layer.getHelper() instanceof MKLDNNBatchNormHelper) {
                try {
                    BATCH_NORM_HELPER_FIELD.set(layer, new BatchStatsBatchNormHelper());
                    switched++;
                } catch (IllegalAccessException e) {
                    return switched;
                }
            }
        }
        return switched;
    }

    private static final Field BATCH_NORM_HELPER_FIELD = batchNormHelperField();

    private static Field batchNormHelperField() {
        try {
            Field field = BatchNormalization.class.getDeclaredField("helper");
            if (!BatchNormalizationHelper.class.isAssignableFrom(field.getType())) {
                return null;
            }
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            return null;
        }
    }

    /** This JVM's state in one phrase, for the backend line. */
    public static String jvmState() {
        String natives = BackendInfo.kind().equals("CPU")
                ? (oneDnnAvailable() ? "oneDNN natives" : "natives without oneDNN")
                : (missingCudnnHelpers().isEmpty() ? "cuDNN helper classes present"
                : "CUDA backend without DL4J's cuDNN helper classes (not published for M2.1): builtin layers on the GPU");
        return (requested() ? "helpers on" : "helpers off (" + DISABLE_PROPERTY + "=true)") + ", " + natives;
    }

    /**
     * The helper each layer type of {@code net} runs on, read from the layers themselves, in layer order:
     * {@code conv2d -> oneDNN, maxpool -> oneDNN, batchnorm -> oneDNN + batch stats, dense -> builtin}. A type whose
     * layers differ is shown as e.g. {@code oneDNN (1 of 2)}.
     */
    public static Map<String, String> perLayerType(MultiLayerNetwork net) {
        Map<String, int[]> counts = new LinkedHashMap<>(); // type -> {layers, with a helper}
        Map<String, String> helperName = new LinkedHashMap<>();
        for (Layer layer : net.getLayers()) {
            String type = typeName(layer);
            LayerHelper helper = layer.getHelper();
            int[] c = counts.computeIfAbsent(type, t -> new int[2]);
            c[0]++;
            if (helper != null) {
                c[1]++;
                helperName.put(type, helperName(helper));
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        counts.forEach((type, c) -> {
            if (c[1] == 0) {
                out.put(type, "builtin");
            } else if (c[1] == c[0]) {
                out.put(type, helperName.get(type));
            } else {
                out.put(type, helperName.get(type) + " (" + c[1] + " of " + c[0] + ")");
            }
        });
        return out;
    }

    /** {@link #perLayerType} as one line: {@code conv2d: oneDNN, maxpool: oneDNN, dense: builtin}. */
    public static String describe(MultiLayerNetwork net) {
        return perLayerType(net).entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** Our name of a layer's type, as in the job config. */
    static String typeName(Layer layer) {
        if (layer instanceof ConvolutionLayer) {
            return "conv2d";
        }
        if (layer instanceof SubsamplingLayer s) {
            PoolingType p = ((org.deeplearning4j.nn.conf.layers.SubsamplingLayer) s.conf().getLayer()).getPoolingType();
            return p == PoolingType.MAX ? "maxpool" : p == PoolingType.AVG ? "avgpool" : p.name().toLowerCase(Locale.ROOT) + "pool";
        }
        if (layer instanceof BatchNormalization) {
            return "batchnorm";
        }
        if (layer instanceof org.deeplearning4j.nn.layers.OutputLayer) {
            return "output";
        }
        if (layer instanceof DenseLayer) {
            return "dense";
        }
        if (layer instanceof org.deeplearning4j.nn.layers.DropoutLayer) {
            return "dropout";
        }
        return layer.getClass().getSimpleName();
    }

    static String helperName(LayerHelper helper) {
        if (helper instanceof BatchStatsBatchNormHelper) {
            return "oneDNN + batch stats";
        }
        String name = helper.getClass().getSimpleName();
        if (name.startsWith("MKLDNN")) {
            return "oneDNN";
        }
        if (name.toLowerCase(Locale.ROOT).contains("cudnn")) {
            return "cuDNN";
        }
        return name;
    }
}
