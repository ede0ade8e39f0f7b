package io.sparkcnn.workers.model;

import io.sparkcnn.workers.ImageShape;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkFactoryTest {
    private static final ImageShape MNIST = new ImageShape(1, 28, 28);

    static ModelSpec spec(List<LayerSpec> layers, Optimizer optimizer) {
        return new ModelSpec(layers, optimizer, 0.01, 0.9, ModelSpec.WeightInitKind.XAVIER, 0.0, 1);
    }

    @Test
    void lenetHasTheParameterCountComputedByHand() {
        MultiLayerNetwork net = NetworkFactory.network(spec(Presets.lenet(), Optimizer.ADAM), MNIST, 10);
        long conv1 = 5 * 5 * 1 * 20 + 20;
        long conv2 = 5 * 5 * 20 * 50 + 50;
        long dense = 4 * 4 * 50 * 500 + 500;
        long output = 500 * 10 + 10;
        assertEquals(conv1 + conv2 + dense + output, net.numParams());
        ModelSummary summary = ModelSummary.of(net, Presets.lenet(), MNIST);
        assertEquals(431_080, summary.totalParams());
        assertEquals(List.of("conv2d_1", "max_pooling2d_1", "conv2d_2", "max_pooling2d_2", "dense_1", "output_1"),
                summary.rows().stream().map(ModelSummary.Row::name).toList());
        assertEquals("(None, 24, 24, 20)", summary.rows().get(0).outputShape());
        assertEquals("(None, 4, 4, 50)", summary.rows().get(3).outputShape());
        assertEquals("(None, 10)", summary.rows().get(5).outputShape());
        assertEquals(conv2, summary.rows().get(2).params());
        String text = summary.render();
        assertTrue(text.contains("Total params: 431,080"), text);
        assertTrue(text.contains("conv2d_1 (Conv2D)"), text);
    }

    @Test
    void vgg2CountsBatchNormStatisticsAsNonTrainable() {
        for (ImageShape shape : new ImageShape[] {MNIST, new ImageShape(3, 32, 32)}) {
            MultiLayerNetwork net = NetworkFactory.network(spec(Presets.vgg2(), Optimizer.ADAM), shape, 10);
            ModelSummary summary = ModelSummary.of(net, Presets.vgg2(), shape);
            int c = shape.channels();
            int side = shape.height() / 4;
            long convs = (3 * 3 * c * 32 + 32) + (3 * 3 * 32 * 32 + 32) + (3 * 3 * 32 * 64 + 64) + (3 * 3 * 64 * 64 + 64);
            long bnGammaBeta = 2L * (32 + 32 + 64 + 64 + 512);
            long bnMeanVar = 2L * (32 + 32 + 64 + 64 + 512);
            long dense = (long) side * side * 64 * 512 + 512;
            long output = 512 * 10 + 10;
            assertEquals(convs + bnGammaBeta + bnMeanVar + dense + output, summary.totalParams(), shape.toString());
            assertEquals(convs + bnGammaBeta + dense + output, summary.trainableParams(), shape.toString());
            assertEquals("(None, " + side + ", " + side + ", 64)", summary.rows().get(10).outputShape());
        }
    }

    @Test
    void vggCifarIsThreeBlocksFor32x32ColourPhotos() {
        ImageShape shape = new ImageShape(3, 32, 32);
        MultiLayerNetwork net = NetworkFactory.network(spec(Presets.vggCifar(), Optimizer.ADAM), shape, 10);
        ModelSummary summary = ModelSummary.of(net, Presets.vggCifar(), shape);
        long convs = (3 * 3 * 3 * 32 + 32) + (3 * 3 * 32 * 32 + 32) + (3 * 3 * 32 * 64 + 64) + (3 * 3 * 64 * 64 + 64)
                + (3 * 3 * 64 * 128 + 128) + (3 * 3 * 128 * 128 + 128);
        long bn = 2L * (32 + 32 + 64 + 64 + 128 + 128 + 128);
        long dense = 4L * 4 * 128 * 128 + 128;
        long output = 128 * 10 + 10;
        assertEquals(convs + bn + dense + output, summary.trainableParams());
        assertEquals(convs + 2 * bn + dense + output, summary.totalParams());
        assertEquals("(None, 16, 16, 32)", summary.rows().get(4).outputShape());
        assertEquals("(None, 4, 4, 128)", summary.rows().get(16).outputShape());
        assertTrue(Presets.all().containsKey("vgg-cifar"));
    }

    @Test
    void layerOrderErrorsNameTheLayer() {
        LayerSpec conv = new LayerSpec.Conv2D(4, 3, 1, LayerSpec.Padding.SAME, LayerSpec.Activation.RELU);
        LayerSpec dense = new LayerSpec.Dense(8, LayerSpec.Activation.RELU);
        LayerSpec out = new LayerSpec.Output();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NetworkFactory.configuration(spec(List.of(out, dense), Optimizer.SGD), MNIST, 10))
                .getMessage().contains("layer 0"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NetworkFactory.configuration(spec(List.of(conv, dense), Optimizer.SGD), MNIST, 10))
                .getMessage().contains("layer 1: the last layer must be 'output'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NetworkFactory.configuration(spec(List.of(dense, conv, out), Optimizer.SGD), MNIST, 10))
                .getMessage().contains("layer 1: conv2d/pooling cannot follow a dense layer"));
        assertThrows(IllegalArgumentException.class,
                () -> NetworkFactory.configuration(spec(List.of(), Optimizer.SGD), MNIST, 10));
    }

    @Test
    void kernelLargerThanTheInputIsRejected() {
        LayerSpec big = new LayerSpec.Conv2D(4, 9, 1, LayerSpec.Padding.VALID, LayerSpec.Activation.RELU);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetworkFactory.configuration(spec(List.of(big, new LayerSpec.Output()), Optimizer.SGD),
                        new ImageShape(1, 6, 6), 2));
        assertTrue(e.getMessage().contains("6x6x1"), e.getMessage());
    }

    @Test
    void aPoolingWindowLargerThanItsMapIsRejectedWithTheLayerAndShapes() {
        LayerSpec conv = new LayerSpec.Conv2D(4, 3, 1, LayerSpec.Padding.VALID, LayerSpec.Activation.RELU);
        LayerSpec pool = new LayerSpec.Pool(LayerSpec.PoolType.MAX, 2, 2);
        // 6x6 -> conv 4x4 -> pool 2x2 -> pool 1x1 -> a third pool has nothing left to pool (DL4J's truncate says 1x1)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.configuration(
                spec(List.of(conv, pool, pool, pool, new LayerSpec.Output()), Optimizer.SGD), new ImageShape(1, 6, 6), 2));
        assertTrue(e.getMessage().startsWith("layer 3 (maxpool 2x2 stride 2) gets a 1x1x4 input: the window is larger"
                + " than the map"), e.getMessage());
        // a valid convolution after the map shrank below its kernel
        LayerSpec conv5 = new LayerSpec.Conv2D(4, 5, 1, LayerSpec.Padding.VALID, LayerSpec.Activation.RELU);
        e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.configuration(
                spec(List.of(conv, pool, conv5, new LayerSpec.Output()), Optimizer.SGD), new ImageShape(1, 10, 10), 2));
        assertTrue(e.getMessage().contains("layer 2") && e.getMessage().contains("4x4x4"), e.getMessage());
        // the same stack fits a larger input, and "same" padding needs no minimum
        NetworkFactory.configuration(spec(List.of(conv, pool, pool, pool, new LayerSpec.Output()), Optimizer.SGD),
                new ImageShape(1, 18, 18), 2);
        LayerSpec same = new LayerSpec.Conv2D(4, 5, 1, LayerSpec.Padding.SAME, LayerSpec.Activation.RELU);
        NetworkFactory.configuration(spec(List.of(same, new LayerSpec.Output()), Optimizer.SGD), new ImageShape(1, 2, 2), 2);
    }

    @Test
    void dropoutRateIsKerasStyleFractionDropped() {
        MultiLayerConfiguration conf = NetworkFactory.configuration(spec(List.of(
                new LayerSpec.Dense(8, LayerSpec.Activation.RELU), new LayerSpec.Dropout(0.25), new LayerSpec.Output()),
                Optimizer.SGD), MNIST, 3);
        DropoutLayer layer = (DropoutLayer) conf.getConf(1).getLayer();
        assertEquals(0.75, ((Dropout) layer.getIDropout()).getP(), 1e-12, "DL4J keeps 75%");
    }

    @Test
    void optimizerNamesMapToTheirUpdaters() {
        Map<Optimizer, Class<?>> expected = Map.of(Optimizer.SGD, Sgd.class, Optimizer.MOMENTUM, ClassicMomentum.class,
                Optimizer.NESTEROV, Nesterovs.class, Optimizer.ADAGRAD, AdaGrad.class, Optimizer.RMSPROP, RmsProp.class,
                Optimizer.ADADELTA, AdaDelta.class, Optimizer.ADAM, Adam.class);
        List<LayerSpec> layers = List.of(new LayerSpec.Dense(4, LayerSpec.Activation.RELU), new LayerSpec.Output());
        for (Optimizer o : Optimizer.values()) {
            MultiLayerConfiguration conf = NetworkFactory.configuration(spec(layers, o), MNIST, 2);
            IUpdater updater = ((BaseLayer) conf.getConf(0).getLayer()).getIUpdater();
            assertInstanceOf(expected.get(o), updater, o.name());
            if (o != Optimizer.ADADELTA) {
                assertEquals(0.01, updater.getLearningRate(0, 0), 1e-12, o.name());
            }
        }
    }

    @Test
    void classicMomentumAccumulatesVelocity() {
        ClassicMomentum config = new ClassicMomentum(0.1, 0.9);
        INDArray state = Nd4j.zeros(1, 3);
        GradientUpdater<?> updater = config.instantiate(state, true);
        INDArray g = Nd4j.create(new float[] {1, -2, 4}, new long[] {1, 3});
        INDArray step1 = g.dup();
        updater.applyUpdater(step1, 0, 0);
        assertTrue(Nd4j.create(new float[] {0.1f, -0.2f, 0.4f}, new long[] {1, 3}).equalsWithEps(step1, 1e-6));
        INDArray step2 = g.dup();
        updater.applyUpdater(step2, 1, 0);
        // v2 = 0.9 * v1 + 0.1 * g = 0.19 * g
        assertTrue(Nd4j.create(new float[] {0.19f, -0.38f, 0.76f}, new long[] {1, 3}).equalsWithEps(step2, 1e-6));
        assertTrue(step2.equalsWithEps(state, 1e-6), "velocity lives in the network's updater state view");
    }

    @Test
    void momentumNetworkSurvivesAJsonRoundTrip() {
        MultiLayerConfiguration conf = NetworkFactory.configuration(spec(Presets.lenet(), Optimizer.MOMENTUM), MNIST, 10);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        IUpdater updater = ((BaseLayer) back.getConf(0).getLayer()).getIUpdater();
        assertEquals(new ClassicMomentum(0.01, 0.9), updater);
    }
}
