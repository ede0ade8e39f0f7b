package io.sparkcnn.workers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;

/**
 * Batch norm for training on the CPU backend, in place of DL4J's {@code MKLDNNBatchNormHelper}: the same
 * libnd4j ops and the same results, without two slow paths that made batch norm 47% of a vgg-cifar training
 * step on one core (docs/performance.md, "Batch norm was half of a training step"):
 * <ul>
 *   <li>The batch variance. DL4J's helper runs ND4J's {@code Variance} over dimensions (0, 2, 3), which libnd4j
 *   walks element by element: 24 ms for a 64x32x32x32 activation, against 3 ms for the mean. Here it takes two
 *   reductions of the fast kind and one centring pass (see {@link #batchVariance}), about 11 ms.</li>
 *   <li>The backward pass. libnd4j's oneDNN {@code batchnorm_bp} runs oneDNN with the batch statistics held
 *   fixed and then corrects for them with about ten more array operations; its own generic kernel for the same
 *   op is 20-30% faster here, so the backward op runs with the platform helpers off for this call only.</li>
 * </ul>
 * On float32 NCHW activations (after a convolution, the common case) all three steps, statistics, normalisation and
 * backward, run as plain loops instead ({@link NchwBatchNormLoops}), another 1.2x per vgg-cifar step on one core;
 * the libnd4j ops above remain for rank-2 (after a dense layer) and NHWC inputs, where the forward op
 * ({@code batchnorm}) runs on oneDNN. Layers get this helper from
 * {@link LayerHelpers#useBatchStatsBatchNorm}, which replaces DL4J's oneDNN helper and nothing else, so with
 * helpers switched off (or without oneDNN) the layers keep DL4J's builtin path. Like DL4J's helper it handles
 * float32 only and returns null otherwise, which makes the layer fall back to its builtin path.
 */
public final class BatchStatsBatchNormHelper implements BatchNormalizationHelper {
    private static final int[] RANK2_DIMS = {0};
    private static final int[] NCHW_DIMS = {0, 2, 3};
    private static final int[] NHWC_DIMS = {0, 1, 2};

    private INDArray meanCache;
    private INDArray varCache;

    @Override
    public boolean checkSupported(double eps, boolean fixedGammaBeta) {
        return !fixedGammaBeta;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta, INDArray mean,
                              INDArray var, double decay, double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (x.dataType() != DataType.FLOAT) {
            return null;
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape());
        int axis = channelAxis(x, format);
        if (training) {
            long channels = x.size(axis);
            if (meanCache == null || meanCache.length() != channels) {
                // outside any workspace: the layer reads these after the forward pass to update its running averages
                try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    meanCache = Nd4j.createUninitialized(x.dataType(), channels);
                    varCache = Nd4j.createUninitialized(x.dataType(), channels);
                }
            }
        }
        if (format == CNN2DFormat.NCHW && NchwBatchNormLoops.supports(x)) {
            float[] m;
            float[] v;
            if (training) {
                m = new float[(int) x.size(1)];
                v = new float[m.length];
                NchwBatchNormLoops.statistics(x, m, v);
                NchwBatchNormLoops.floats(meanCache).put(m);
                NchwBatchNormLoops.floats(varCache).put(v);
            } else {
                m = mean.toFloatVector();
                v = var.toFloatVector();
            }
            float[] scale = new float[m.length];
            float[] shift = new float[m.length];
            float[] g = gamma == null || beta == null ? null : gamma.toFloatVector();
            float[] b = g == null ? null : beta.toFloatVector();
            for (int c = 0; c < m.length; c++) {
                float invStd = (float) (1 / Math.sqrt((double) v[c] + eps));
                scale[c] = g == null ? invStd : g[c] * invStd;
                shift[c] = (b == null ? 0 : b[c]) - m[c] * scale[c];
            }
            NchwBatchNormLoops.scaleAndShift(x, scale, shift, out);
            return out;
        }
        INDArray m;
        INDArray v;
        if (training) {
            batchVariance(x, reductionDims(x, format), axis, meanCache, varCache, out);
            m = meanCache;
            v = varCache;
        } else {
            m = mean.reshape(mean.length());
            v = var.reshape(var.length());
        }
        boolean affine = gamma != null && beta != null;
        normalize(x, m, v, affine ? gamma.reshape(gamma.length()) : null, affine ? beta.reshape(beta.length()) : null,
                eps, axis, out);
        return out;
    }

    /**
     * The batch mean and the biased (divide by n) variance over {@code dims}, as batch norm normalises with, into
     * {@code mean} and {@code var}. Two passes, as a variance should be computed in float32 (mean(x^2) - mean(x)^2
     * loses digits when the mean is large against the deviation): the mean, then the sum of squares of x - mean.
     * The centring runs as the batchnorm op with unit variance, the fastest per-channel broadcast libnd4j has here,
     * into {@code scratch} (the layer's output array, overwritten afterwards).
     */
    static void batchVariance(INDArray x, int[] dims, int axis, INDArray mean, INDArray var, INDArray scratch) {
        x.mean(mean, dims);
        // (x - mean) / sqrt(1 + 0): the op's epsilon must be positive, so the variance given is 1 - eps, and the
        // factor sqrt((1 - eps) + eps) is 1 up to a float rounding that is undone below
        double eps = 1e-5;
        normalize(x, mean, Nd4j.valueArrayOf(new long[]{mean.length()}, 1 - eps, x.dataType()), null, null, eps, axis, scratch);
        Nd4j.exec(new SquaredNorm(scratch, var, dims));
        float onePlusRounding = (float) ((float) (1 - eps) + (float) eps);
        var.divi((double) x.length() / mean.length() / onePlusRounding);
    }

    private static void normalize(INDArray x, INDArray mean, INDArray var, INDArray gamma, INDArray beta, double eps,
                                  int axis, INDArray out) {
        boolean affine = gamma != null && beta != null;
        INDArray[] inputs = affine ? new INDArray[]{x, mean, var, gamma, beta} : new INDArray[]{x, mean, var};
        Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(inputs)
                .addIntegerArguments(affine ? 1 : 0, affine ? 1 : 0, axis)
                .addFloatingPointArguments(eps).addOutputs(out).build());
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps,
                                                     CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (input.dataType() != DataType.FLOAT || meanCache == null) {
            return null;
        }
        if (!Shape.hasDefaultStridesForShape(epsilon)) {
            epsilon = epsilon.dup('c');
        }
        INDArray epsAtInput = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
        boolean affine = gamma != null && beta != null;
        if (format == CNN2DFormat.NCHW && NchwBatchNormLoops.supports(input) && NchwBatchNormLoops.supports(epsilon)) {
            float[] m = meanCache.toFloatVector();
            float[] v = varCache.toFloatVector();
            float[] invStd = new float[m.length];
            for (int c = 0; c < m.length; c++) {
                invStd[c] = (float) (1 / Math.sqrt((double) v[c] + eps));
            }
            float[] g = affine ? gamma.toFloatVector() : null;
            if (g == null) {
                g = new float[m.length];
                Arrays.fill(g, 1f);
            }
            float[] dGamma = new float[m.length];
            float[] dBeta = new float[m.length];
            NchwBatchNormLoops.backward(input, epsilon, m, invStd, g, epsAtInput, dGamma, dBeta);
            Gradient gradient = new DefaultGradient();
            if (affine) {
                dGammaView.assign(Nd4j.createFromArray(dGamma).reshape(dGammaView.shape()));
                dBetaView.assign(Nd4j.createFromArray(dBeta).reshape(dBetaView.shape()));
                gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
                gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
            }
            return new Pair<>(gradient, epsAtInput);
        }
        INDArray dMean = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, meanCache.dataType(), meanCache.shape());
        INDArray dVar = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, varCache.dataType(), varCache.shape());
        INDArray[] inputs = affine
                ? new INDArray[]{input, meanCache, varCache, gamma.reshape(gamma.length()), beta.reshape(beta.length()), epsilon}
                : new INDArray[]{input, meanCache, varCache, epsilon};
        INDArray[] outputs = affine
                ? new INDArray[]{epsAtInput, dMean, dVar, dGammaView.reshape(dGammaView.length()), dBetaView.reshape(dBetaView.length())}
                : new INDArray[]{epsAtInput, dMean, dVar};
        DynamicCustomOp op = DynamicCustomOp.builder("batchnorm_bp").addInputs(inputs)
                .addIntegerArguments(affine ? 1 : 0, affine ? 1 : 0, channelAxis(input, format))
                .addFloatingPointArguments(eps).addOutputs(outputs).build();
        // libnd4j's own kernel for this op, not its oneDNN one (see the class comment); this call only
        try (OpContext context = Nd4j.getExecutioner().buildContext()) {
            context.allowHelpers(false);
            context.setInputArrays(op.inputArguments());
            context.setOutputArrays(op.outputArguments());
            context.setIArguments(op.iArgs());
            context.setTArguments(op.tArgs());
            Nd4j.exec(op, context);
        } catch (Exception e) {
            throw new IllegalStateException("batchnorm_bp failed: " + e.getMessage(), e);
        }
        Gradient g = new DefaultGradient();
        g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(g, epsAtInput);
    }

    static int channelAxis(INDArray x, CNN2DFormat format) {
        return x.rank() == 2 || format == CNN2DFormat.NCHW ? 1 : 3;
    }

    static int[] reductionDims(INDArray x, CNN2DFormat format) {
        return x.rank() == 2 ? RANK2_DIMS : format == CNN2DFormat.NCHW ? NCHW_DIMS : NHWC_DIMS;
    }

    @Override
    public INDArray getMeanCache(DataType dataType) {
        return meanCache;
    }

    @Override
    public INDArray getVarCache(DataType dataType) {
        return varCache;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }
}
