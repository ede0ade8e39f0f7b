package io.sparkcnn.workers;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

import static io.sparkcnn.workers.LayerHelpersEqualityTest.assertClose;
import static io.sparkcnn.workers.LayerHelpersEqualityTest.build;
import static io.sparkcnn.workers.LayerHelpersEqualityTest.conf;
import static io.sparkcnn.workers.LayerHelpersEqualityTest.data;
import static io.sparkcnn.workers.LayerHelpersEqualityTest.feedsBatchNorm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BatchStatsBatchNormHelper} computes what DL4J's builtin batch norm computes: forward (training and
 * inference), loss, every gradient, and the parameters and running statistics after a few training steps, for batch
 * norm after a convolution (rank 4) and after a dense layer (rank 2).
 */
@ExtendWith(RestoresHelpersProperty.class)
class BatchStatsBatchNormHelperTest {
    /**
     * Relative to the largest magnitude compared. Two float32 batch norms in a row with another variance formula
     * (and batches of 2) differ by up to ~2e-4; a wrong formula differs by whole units.
     */
    private static final double TOLERANCE = 1e-3;
    @BeforeAll
    static void floats() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static MultiLayerConfiguration convAndDenseBatchNorm(int channels) {
        return conf(channels, 10, 4,
                // identity before the first batch norm: the bias feeding it then has a zero gradient (see
                // feedsBatchNorm); behind a ReLU that gradient is tiny and all float noise
                new ConvolutionLayer.Builder(3, 3).nOut(6).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(),
                new BatchNormalization.Builder().build(),
                new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(),
                new BatchNormalization.Builder().build());
    }

    @ParameterizedTest(name = "{0} channel(s), batch {1}")
    @CsvSource({"1, 64", "3, 32", "3, 2"})
    void agreesWithTheBuiltinPath(int channels, int batch) {
        MultiLayerConfiguration conf = convAndDenseBatchNorm(channels);
        MultiLayerNetwork ours = build(conf, true);
        assertEquals(2, LayerHelpers.useBatchStatsBatchNorm(ours), "both batch norm layers switched");
        assertEquals("oneDNN + batch stats", LayerHelpers.perLayerType(ours).get("batchnorm"), LayerHelpers.describe(ours));
        MultiLayerNetwork builtin = build(conf, false);
        assertEquals("builtin", LayerHelpers.perLayerType(builtin).get("batchnorm"));
        builtin.setParams(ours.params().dup());

        DataSet ds = data(batch, channels, 10, 4, 5);
        assertClose("output (inference)", builtin.output(ds.getFeatures(), false), ours.output(ds.getFeatures(), false), TOLERANCE);
        assertClose("output (training)", builtin.output(ds.getFeatures(), true), ours.output(ds.getFeatures(), true), TOLERANCE);
        for (MultiLayerNetwork net : new MultiLayerNetwork[]{ours, builtin}) {
            net.setInput(ds.getFeatures());
            net.setLabels(ds.getLabels());
            net.computeGradientAndScore();
        }
        assertEquals(builtin.score(), ours.score(), 1e-4 * Math.max(1, builtin.score()), "loss");
        Map<String, INDArray> expected = builtin.gradient().gradientForVariable();
        Map<String, INDArray> actual = ours.gradient().gradientForVariable();
        assertEquals(expected.keySet(), actual.keySet());
        double largest = expected.values().stream().mapToDouble(g -> g.amaxNumber().doubleValue()).max().orElse(1);
        for (String key : expected.keySet()) {
            if (feedsBatchNorm(ours, key)) {
                continue; // a bias feeding batch norm has a zero gradient up to float noise
            }
            // gradients near zero (the dense bias behind a ReLU into batch norm) are compared against the largest
            double scale = Math.max(expected.get(key).amaxNumber().doubleValue(), 1e-2 * largest);
            double diff = expected.get(key).castTo(DataType.DOUBLE).sub(actual.get(key).castTo(DataType.DOUBLE))
                    .amaxNumber().doubleValue();
            assertTrue(diff <= TOLERANCE * scale, "gradient " + key + ": max |builtin - ours| = " + diff + " > "
                    + TOLERANCE + " x " + scale);
        }

        // training steps move the parameters and the running mean and variance; inference then uses the latter
        for (int step = 0; step < 3; step++) {
            DataSet next = data(batch, channels, 10, 4, 100 + step);
            ours.fit(next);
            builtin.fit(next);
        }
        assertClose("parameters after 3 steps (running statistics included)", builtin.params(), ours.params(), TOLERANCE);
        DataSet probe = data(batch, channels, 10, 4, 999);
        assertClose("inference after 3 steps", builtin.output(probe.getFeatures(), false), ours.output(probe.getFeatures(), false), TOLERANCE);
    }

    @Test
    void batchVarianceEqualsNd4jVarianceOnActivations() {
        Nd4j.getRandom().setSeed(3);
        // like a ReLU's output feeding batch norm, with per channel scales far apart and means up to 6x the
        // deviation (where mean(x^2) - mean(x)^2 in float32 is off in the 3rd digit)
        INDArray x = Transforms.relu(Nd4j.randn(DataType.FLOAT, 64, 8, 16, 16), false);
        for (int c = 0; c < 8; c++) {
            x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c))
                    .muli(Math.pow(10, c - 4)).addi(c * 0.5 * Math.pow(10, c - 4));
        }
        INDArray mean = Nd4j.create(DataType.FLOAT, 8);
        INDArray var = Nd4j.create(DataType.FLOAT, 8);
        BatchStatsBatchNormHelper.batchVariance(x, new int[]{0, 2, 3}, 1, mean, var, x.ulike());
        INDArray expectedVar = Nd4j.exec(new Variance(x.castTo(DataType.DOUBLE), false, 0, 2, 3));
        INDArray expectedMean = x.castTo(DataType.DOUBLE).mean(0, 2, 3);
        for (int c = 0; c < 8; c++) {
            double e = expectedVar.getDouble(c);
            assertEquals(e, var.getDouble(c), 1e-4 * e, "variance of channel " + c);
            assertEquals(expectedMean.getDouble(c), mean.getDouble(c), 1e-4 * expectedMean.getDouble(c), "mean of channel " + c);
        }
    }

    @Test
    void switchesOnlyDl4jsOneDnnHelperAndOnce() {
        MultiLayerConfiguration conf = convAndDenseBatchNorm(3);
        MultiLayerNetwork builtin = build(conf, false);
        assertEquals(0, LayerHelpers.useBatchStatsBatchNorm(builtin), "helpers off: batch norm stays builtin");
        assertEquals("builtin", LayerHelpers.perLayerType(builtin).get("batchnorm"));
        MultiLayerNetwork helped = build(conf, true);
        assertEquals("oneDNN", LayerHelpers.perLayerType(helped).get("batchnorm"), "DL4J's own helper before the switch");
        assertEquals(2, LayerHelpers.useBatchStatsBatchNorm(helped));
        assertEquals(0, LayerHelpers.useBatchStatsBatchNorm(helped), "a second call finds nothing left to switch");
        assertEquals("oneDNN", LayerHelpers.perLayerType(helped).get("conv2d"), "other layers keep their helper");
    }
}
