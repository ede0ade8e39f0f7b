package io.sparkcnn.workers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fast path must compute what the builtin path computes. For every layer and option we build, the
 * same network (same parameters) is run once with DL4J's layer helpers (oneDNN) and once without, and
 * the forward output, the loss and the gradient of every parameter must agree within {@value #TOLERANCE}
 * relative to the largest magnitude of the array compared (float32 sums in another order differ by a
 * few units in the 7th digit).
 *
 * <p>Two things are equal only up to a choice, and the test avoids them on purpose: dropout draws random
 * masks (compared with dropout off, as asked), and max pooling over a window whose maximum occurs twice
 * may route the gradient to either position (both are valid subgradients; oneDNN and DL4J pick
 * differently, as cuDNN and PyTorch do). Random float inputs make such ties rare; the data seeds here are
 * tie-free (seed 1 of the LeNet case has one tie, 0.26872092 twice in a 2x2 window of the second
 * convolution's output, and its conv weight gradient then differs in one element). A bias feeding batch norm
 * has a zero gradient in exact arithmetic; both paths must give noise far below the network's gradients.
 */
@ExtendWith(RestoresHelpersProperty.class)
class LayerHelpersEqualityTest {
    static final double TOLERANCE = 1e-4;
    /** For whole presets end to end (vgg2: 16 layers, four batch norms). */
    static final double PRESET_TOLERANCE = 1e-3;
    @BeforeAll
    static void floats() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    /** A network built with the helpers on (true) or off, from the same configuration. */
    static MultiLayerNetwork build(MultiLayerConfiguration conf, boolean helpers) {
        System.setProperty(LayerHelpers.DISABLE_PROPERTY, helpers ? "false" : "true");
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        return net;
    }

    static MultiLayerConfiguration conf(int channels, int size, int classes, Layer... layers) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(7).updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).list();
        for (int i = 0; i < layers.length; i++) {
            list.layer(i, layers[i]);
        }
        list.layer(layers.length, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build());
        list.setInputType(InputType.convolutional(size, size, channels));
        return list.build();
    }

    static DataSet data(int batch, int channels, int size, int classes, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, channels, size, size);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, classes);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, (i * 7 + 3) % classes, 1f);
        }
        return new DataSet(x, y);
    }

    static void assertClose(String what, INDArray expected, INDArray actual) {
        assertClose(what, expected, actual, TOLERANCE);
    }

    static void assertClose(String what, INDArray expected, INDArray actual, double tolerance) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + ": shape");
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-6);
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max |builtin - helper| = " + diff + " > " + tolerance
                + " x max |builtin| = " + scale);
    }

    /** Forward (inference and training mode), loss and every parameter's gradient, helper vs builtin. */
    static void assertSamePath(String name, MultiLayerConfiguration conf, DataSet ds, String helperType) {
        assertSamePath(name, conf, ds, helperType, TOLERANCE);
    }

    static void assertSamePath(String name, MultiLayerConfiguration conf, DataSet ds, String helperType, double tolerance) {
        MultiLayerNetwork helped = build(conf, true);
        MultiLayerNetwork builtin = build(conf, false);
        builtin.setParams(helped.params().dup());
        Map<String, String> state = LayerHelpers.perLayerType(helped);
        assertEquals("oneDNN", state.get(helperType), name + ": the helper path must be active, was " + state);
        assertFalse(LayerHelpers.perLayerType(builtin).containsValue("oneDNN"), name + ": builtin must have no helper");

        assertClose(name + " output (inference)", builtin.output(ds.getFeatures(), false), helped.output(ds.getFeatures(), false), tolerance);
        assertClose(name + " output (training)", builtin.output(ds.getFeatures(), true), helped.output(ds.getFeatures(), true), tolerance);

        for (MultiLayerNetwork net : List.of(helped, builtin)) {
            net.setInput(ds.getFeatures());
            net.setLabels(ds.getLabels());
            net.computeGradientAndScore();
        }
        double loss = builtin.score();
        assertEquals(loss, helped.score(), tolerance * Math.max(1, Math.abs(loss)), name + ": loss");
        Map<String, INDArray> g1 = builtin.gradient().gradientForVariable();
        Map<String, INDArray> g2 = helped.gradient().gradientForVariable();
        assertEquals(g1.keySet(), g2.keySet(), name + ": gradient variables");
        double largest = g1.values().stream().mapToDouble(g -> g.amaxNumber().doubleValue()).max().orElse(1);
        for (String key : g1.keySet()) {
            if (feedsBatchNorm(helped, key)) {
                double noise = Math.max(g1.get(key).amaxNumber().doubleValue(), g2.get(key).amaxNumber().doubleValue());
                assertTrue(noise <= 1e-3 * largest, name + " gradient " + key + " (a bias feeding batch norm) should be ~0, was "
                        + noise + " (builtin " + g1.get(key).amaxNumber() + ", helper " + g2.get(key).amaxNumber() + ") against the largest gradient " + largest);
                continue;
            }
            assertClose(name + " gradient " + key, g1.get(key), g2.get(key), tolerance);
        }
    }

    /** Whether {@code key} is the bias of a linear layer whose output goes straight into batch norm. */
    static boolean feedsBatchNorm(MultiLayerNetwork net, String key) {
        String[] parts = key.split("_");
        int layer = Integer.parseInt(parts[0]);
        return parts[1].equals("b") && layer + 1 < net.getnLayers()
                && net.getLayer(layer + 1) instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization
                && net.getLayer(layer).conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base
                && base.getActivationFn() instanceof org.nd4j.linalg.activations.impl.ActivationIdentity;
    }

    /** The configuration with every dropout switched off (dropout draws random masks). */
    static MultiLayerConfiguration withoutDropout(MultiLayerConfiguration conf) {
        MultiLayerConfiguration copy = conf.clone();
        for (int i = 0; i < copy.getConfs().size(); i++) {
            copy.getConf(i).getLayer().setIDropout(null);
        }
        return copy;
    }

    static Stream<Arguments> convolutions() {
        List<Arguments> cases = new ArrayList<>();
        for (int kernel : new int[]{1, 3, 5}) {
            for (ConvolutionMode mode : new ConvolutionMode[]{ConvolutionMode.Same, ConvolutionMode.Truncate}) {
                for (int stride : new int[]{1, 2}) {
                    for (int channels : new int[]{1, 3}) {
                        cases.add(Arguments.of(kernel, mode, stride, channels, channels == 1 ? 64 : 1));
                        if (kernel == 3) {
                            cases.add(Arguments.of(kernel, mode, stride, channels, channels == 1 ? 1 : 64));
                        }
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "conv2d kernel {0} {1} stride {2}, {3} channel(s), batch {4}")
    @MethodSource("convolutions")
    void conv2d(int kernel, ConvolutionMode mode, int stride, int channels, int batch) {
        MultiLayerConfiguration conf = conf(channels, 12, 5,
                new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(6).convolutionMode(mode)
                        .activation(Activation.RELU).build());
        assertSamePath("conv2d k" + kernel + " " + mode + " s" + stride, conf, data(batch, channels, 12, 5, kernel), "conv2d");
    }

    @Test
    void conv2dWithDilation() {
        MultiLayerConfiguration conf = conf(3, 12, 5,
                new ConvolutionLayer.Builder(3, 3).dilation(2, 2).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build());
        assertSamePath("conv2d dilation 2", conf, data(8, 3, 12, 5, 11), "conv2d");
    }

    static Stream<Arguments> poolings() {
        List<Arguments> cases = new ArrayList<>();
        for (PoolingType type : new PoolingType[]{PoolingType.MAX, PoolingType.AVG}) {
            for (int[] sizeStride : new int[][]{{2, 2}, {3, 1}, {3, 2}}) {
                for (int channels : new int[]{1, 3}) {
                    cases.add(Arguments.of(type, sizeStride[0], sizeStride[1], channels, channels == 1 ? 64 : 1));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} pool size {1} stride {2}, {3} channel(s), batch {4}")
    @MethodSource("poolings")
    void pooling(PoolingType type, int size, int stride, int channels, int batch) {
        // a convolution first, so the pooling's gradient flows into parameters we compare
        MultiLayerConfiguration conf = conf(channels, 12, 5,
                new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(),
                new SubsamplingLayer.Builder(type).kernelSize(size, size).stride(stride, stride)
                        .convolutionMode(ConvolutionMode.Truncate).build());
        assertSamePath(type + " pool " + size + "/" + stride, conf, data(batch, channels, 12, 5, size * 10L + stride),
                type == PoolingType.MAX ? "maxpool" : "avgpool");
    }

    @ParameterizedTest(name = "batchnorm, {0} channel(s), batch {1}")
    @MethodSource("batchNormCases")
    void batchNormTrainingAndInference(int channels, int batch) {
        MultiLayerConfiguration conf = conf(channels, 10, 4,
                new ConvolutionLayer.Builder(3, 3).nOut(5).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(),
                new BatchNormalization.Builder().build(),
                new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(),
                new DropoutLayer.Builder(1.0).build());
        DataSet ds = data(batch, channels, 10, 4, 5);
        assertSamePath("batchnorm", conf, ds, "batchnorm");

        // a few training steps move the running mean and variance; inference then uses them
        MultiLayerNetwork helped = build(conf, true);
        MultiLayerNetwork builtin = build(conf, false);
        builtin.setParams(helped.params().dup());
        for (int step = 0; step < 3; step++) {
            DataSet batchData = data(batch, channels, 10, 4, 100 + step);
            helped.fit(batchData);
            builtin.fit(batchData);
        }
        assertClose("batchnorm parameters after 3 steps", builtin.params(), helped.params());
        DataSet probe = data(batch, channels, 10, 4, 999);
        assertClose("batchnorm inference after 3 steps", builtin.output(probe.getFeatures(), false),
                helped.output(probe.getFeatures(), false));
    }

    static Stream<Arguments> batchNormCases() {
        return Stream.of(Arguments.of(1, 64), Arguments.of(3, 64), Arguments.of(3, 2));
    }

    @Test
    void lenetAndVgg2PresetsAgreeEndToEnd() {
        for (Supplier<List<io.sparkcnn.workers.model.LayerSpec>> preset :
                List.<Supplier<List<io.sparkcnn.workers.model.LayerSpec>>>of(
                        io.sparkcnn.workers.model.Presets::lenet, io.sparkcnn.workers.model.Presets::vgg2)) {
            for (int channels : new int[]{1, 3}) {
                var spec = new io.sparkcnn.workers.model.ModelSpec(preset.get(), io.sparkcnn.workers.model.Optimizer.ADAM,
                        0.001, 0.9, io.sparkcnn.workers.model.ModelSpec.WeightInitKind.XAVIER, 0, 42);
                MultiLayerConfiguration conf = io.sparkcnn.workers.model.NetworkFactory.configuration(spec,
                        new ImageShape(channels, 28, 28), 10);
                // 12+ layers, batch norm dividing by small batch variances: float noise grows along the way
                assertSamePath("preset with " + channels + " channel(s)", withoutDropout(conf), data(16, channels, 28, 10, 1 + channels),
                        "conv2d", PRESET_TOLERANCE);
            }
        }
    }

    @Test
    void helpersOffWhenThePropertySaysSo() {
        System.setProperty(LayerHelpers.DISABLE_PROPERTY, "true");
        assertFalse(LayerHelpers.enable(), "a user's explicit 'true' must win");
        MultiLayerNetwork net = new MultiLayerNetwork(conf(1, 8, 3, new ConvolutionLayer.Builder(3, 3).nOut(2).build()));
        net.init();
        assertEquals("builtin", LayerHelpers.perLayerType(net).get("conv2d"));
        System.clearProperty(LayerHelpers.DISABLE_PROPERTY);
        assertTrue(LayerHelpers.enable());
        assertEquals("false", System.getProperty(LayerHelpers.DISABLE_PROPERTY));
        if (!LayerHelpers.oneDnnAvailable()) {
            fail("the CPU build must load libnd4j with oneDNN (nd4j-native classifier linux-x86_64-onednn): "
                    + LayerHelpers.jvmState());
        }
    }
}
