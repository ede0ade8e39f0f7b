package io.sparkcnn.workers.model;

import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LayerHelpers;
import io.sparkcnn.workers.RestoresHelpersProperty;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Without a cache of pre-activations ({@link CacheMode#NONE}, DL4J's default) a {@code ConvolutionLayer} runs its
 * forward convolution a second time in backprop to get the pre-activation for the activation's derivative.
 * {@link NetworkFactory} turns the cache on (vgg-cifar: 12% faster per step on one thread, docs/performance.md). Counted with
 * ND4J's op profiler over one training step on the oneDNN path, as the jobs train.
 */
@ExtendWith(RestoresHelpersProperty.class)
class ConvolutionCacheTest {
    private static final ImageShape CIFAR = new ImageShape(3, 32, 32);
    private static final int CONVOLUTIONS = 6;

    @BeforeEach
    void helpersOn() {
        System.setProperty(LayerHelpers.DISABLE_PROPERTY, "false");
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @AfterEach
    void profilerOff() {
        Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.DISABLED);
    }

    @Test
    void aTrainingStepRunsEachForwardConvolutionOnce() {
        MultiLayerConfiguration conf = NetworkFactory.configuration(spec(), CIFAR, 10);
        assertEquals(CONVOLUTIONS, forwardConvolutionsInOneStep(conf));
    }

    @Test
    void withoutTheCacheDl4jRunsThemTwice() {
        // the same network with DL4J's default: proves the count above sees the difference
        MultiLayerConfiguration conf = NetworkFactory.configuration(spec(), CIFAR, 10);
        conf.setCacheMode(CacheMode.NONE);
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            layer.setCacheMode(CacheMode.NONE);
        }
        assertEquals(2 * CONVOLUTIONS, forwardConvolutionsInOneStep(conf));
    }

    private static ModelSpec spec() {
        return new ModelSpec(Presets.vggCifar(), Optimizer.ADAM, 0.001, 0.9, ModelSpec.WeightInitKind.HE, 0.0, 7);
    }

    private static long forwardConvolutionsInOneStep(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertEquals("oneDNN", LayerHelpers.perLayerType(net).get("conv2d"), LayerHelpers.describe(net));
        Nd4j.getRandom().setSeed(3);
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32),
                Nd4j.eye(10).getRows(0, 3, 5, 9).castTo(DataType.FLOAT));
        net.fit(batch); // first step: workspaces and helpers set up outside the count
        Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.OPERATIONS);
        OpProfiler.getInstance().reset();
        net.fit(batch);
        Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.DISABLED);
        return OpProfiler.getInstance().getOpCounter().getCount("conv2d");
    }
}
