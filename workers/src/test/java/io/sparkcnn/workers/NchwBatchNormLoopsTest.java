package io.sparkcnn.workers;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loops {@link BatchStatsBatchNormHelper} runs on NCHW activations compute what ND4J's ops compute: the batch
 * statistics (against a double-precision variance), the normalisation, and the backward pass (against libnd4j's
 * {@code batchnorm_bp}), on one thread and with channels in parallel, on an array that starts inside its buffer and
 * whose rows have an odd number of elements (the loops' two-accumulator tail).
 */
class NchwBatchNormLoopsTest {
    private static final int THREADS = Nd4j.getEnvironment().maxThreads();

    @AfterEach
    void restoreThreads() {
        Nd4j.getEnvironment().setMaxThreads(THREADS);
    }

    /** Channels at scales 1e-3 to 1e3 with means up to a few deviations, rows of 35 elements, offset 1 image in. */
    private static INDArray activations(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray all = Nd4j.rand(DataType.FLOAT, 9, 7, 5, 7);
        for (int c = 0; c < 7; c++) {
            all.get(NDArrayIndex.all(), NDArrayIndex.point(c)).muli(Math.pow(10, c - 3)).addi(c * Math.pow(10, c - 3));
        }
        INDArray view = all.get(NDArrayIndex.interval(1, 9));
        assertTrue(view.offset() > 0 && NchwBatchNormLoops.supports(view), "a view that starts inside its buffer");
        return view;
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void statisticsMatchADoublePrecisionVariance(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        INDArray x = activations(5);
        float[] mean = new float[7];
        float[] var = new float[7];
        NchwBatchNormLoops.statistics(x, mean, var);
        INDArray expectedMean = x.castTo(DataType.DOUBLE).mean(0, 2, 3);
        INDArray expectedVar = Nd4j.exec(new Variance(x.castTo(DataType.DOUBLE), false, 0, 2, 3));
        for (int c = 0; c < 7; c++) {
            assertEquals(expectedMean.getDouble(c), mean[c], 1e-5 * Math.abs(expectedMean.getDouble(c)), "mean " + c);
            assertEquals(expectedVar.getDouble(c), var[c], 1e-4 * expectedVar.getDouble(c), "variance " + c);
        }
    }

    @Test
    void scaleAndShiftIsPerChannel() {
        INDArray x = activations(6);
        float[] scale = {1, -2, 0.5f, 3, 0, 1e-3f, 7};
        float[] shift = {0, 1, -1, 2.5f, 4, 0, -3};
        INDArray out = x.ulike();
        NchwBatchNormLoops.scaleAndShift(x, scale, shift, out);
        INDArray expected = x.dup();
        for (int c = 0; c < 7; c++) {
            expected.get(NDArrayIndex.all(), NDArrayIndex.point(c)).muli(scale[c]).addi(shift[c]);
        }
        assertEquals(0, expected.sub(out).amaxNumber().doubleValue(), 1e-6 * expected.amaxNumber().doubleValue());
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void backwardMatchesLibnd4jsBatchnormBp(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        INDArray x = activations(7);
        INDArray dy = Nd4j.randn(DataType.FLOAT, x.shape());
        INDArray gamma = Nd4j.createFromArray(1f, -0.5f, 2f, 0.1f, 1.5f, 3f, 0.7f);
        INDArray beta = Nd4j.createFromArray(0f, 1f, -1f, 0.5f, 2f, -3f, 0.2f);
        double eps = 1e-5;
        float[] mean = new float[7];
        float[] var = new float[7];
        NchwBatchNormLoops.statistics(x, mean, var);
        float[] invStd = new float[7];
        for (int c = 0; c < 7; c++) {
            invStd[c] = (float) (1 / Math.sqrt(var[c] + eps));
        }
        INDArray dx = x.ulike();
        float[] dGamma = new float[7];
        float[] dBeta = new float[7];
        NchwBatchNormLoops.backward(x, dy, mean, invStd, gamma.toFloatVector(), dx, dGamma, dBeta);

        INDArray expectedDx = x.ulike();
        INDArray expectedDGamma = gamma.ulike();
        INDArray expectedDBeta = beta.ulike();
        Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp")
                .addInputs(x.dup(), Nd4j.createFromArray(mean), Nd4j.createFromArray(var), gamma, beta, dy)
                .addIntegerArguments(1, 1, 1).addFloatingPointArguments(eps)
                .addOutputs(expectedDx, Nd4j.create(DataType.FLOAT, 7), Nd4j.create(DataType.FLOAT, 7), expectedDGamma,
                        expectedDBeta).build());
        LayerHelpersEqualityTest.assertClose("dx", expectedDx, dx, 1e-4);
        LayerHelpersEqualityTest.assertClose("dGamma", expectedDGamma, Nd4j.createFromArray(dGamma), 1e-4);
        LayerHelpersEqualityTest.assertClose("dBeta", expectedDBeta, Nd4j.createFromArray(dBeta), 1e-4);
    }

    @Test
    void supportsOnlyDenseFloatNchwArrays() {
        assertTrue(NchwBatchNormLoops.supports(Nd4j.create(DataType.FLOAT, 2, 3, 4, 4)));
        assertFalse(NchwBatchNormLoops.supports(Nd4j.create(DataType.DOUBLE, 2, 3, 4, 4)), "double");
        assertFalse(NchwBatchNormLoops.supports(Nd4j.create(DataType.FLOAT, 2, 3)), "rank 2");
        assertFalse(NchwBatchNormLoops.supports(Nd4j.create(DataType.FLOAT, new long[]{2, 3, 4, 4}, 'f')), "F order");
        assertFalse(NchwBatchNormLoops.supports(Nd4j.create(DataType.FLOAT, 2, 3, 4, 4).permute(0, 1, 3, 2)),
                "permuted strides");
    }
}
