package io.sparkcnn.workers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Batch norm's three passes over a float32 NCHW activation as plain loops over ND4J's off-heap buffers: the batch
 * statistics, the normalisation and the backward pass, each channel's elements read in memory order. On one core
 * they take a third (backward) to a half (statistics and normalisation) of the time of libnd4j's ops for the same
 * arithmetic, which walk reductions over dimensions (0, 2, 3) slowly and need a broadcast or a whole extra op per
 * step (docs/performance.md, "Batch norm in three loops"). Sums are kept per image in float (two interleaved
 * accumulators) and added across images in double, so they lose no more than the float32 ops they replace.
 * Channels run in parallel when ND4J may use more than one thread, as its own ops would.
 */
final class NchwBatchNormLoops {
    private NchwBatchNormLoops() {
    }

    /** True for a float32, rank-4 array in C order with default strides whose elements fit an int index. */
    static boolean supports(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.rank() == 4 && a.ordering() == 'c'
                && Shape.hasDefaultStridesForShape(a) && a.length() + a.offset() <= Integer.MAX_VALUE;
    }

    /** The array's elements as floats, index 0 at its first element (an array may start inside its buffer). */
    static FloatBuffer floats(INDArray a) {
        FloatBuffer all = a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        return all.position((int) a.offset()).slice();
    }

    /** Batch mean and biased (divide by n) variance per channel, the variance as the mean of (x - mean)^2. */
    static void statistics(INDArray x, float[] mean, float[] var) {
        FloatBuffer in = floats(x);
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        double count = (double) n * hw;
        forEachChannel(c, ch -> {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * hw;
                float s0 = 0;
                float s1 = 0;
                int j = 0;
                for (; j + 1 < hw; j += 2) {
                    s0 += in.get(base + j);
                    s1 += in.get(base + j + 1);
                }
                if (j < hw) {
                    s0 += in.get(base + j);
                }
                sum += (double) s0 + s1;
            }
            float m = (float) (sum / count);
            double squares = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * hw;
                float q0 = 0;
                float q1 = 0;
                int j = 0;
                for (; j + 1 < hw; j += 2) {
                    float d0 = in.get(base + j) - m;
                    float d1 = in.get(base + j + 1) - m;
                    q0 += d0 * d0;
                    q1 += d1 * d1;
                }
                if (j < hw) {
                    float d = in.get(base + j) - m;
                    q0 += d * d;
                }
                squares += (double) q0 + q1;
            }
            mean[ch] = m;
            var[ch] = (float) (squares / count);
        });
    }

    /** out = x * scale + shift per channel (batch norm's normalisation and affine step folded into one). */
    static void scaleAndShift(INDArray x, float[] scale, float[] shift, INDArray out) {
        FloatBuffer in = floats(x);
        FloatBuffer o = floats(out);
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        forEachChannel(c, ch -> {
            float a = scale[ch];
            float b = shift[ch];
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * hw;
                for (int j = base; j < base + hw; j++) {
                    o.put(j, in.get(j) * a + b);
                }
            }
        });
    }

    /**
     * Batch norm's backward pass with the batch statistics it normalised with: with xhat = (x - mean) * invStd,
     * dBeta = sum(dy), dGamma = sum(dy * xhat) and
     * dx = gamma * invStd * (dy - dBeta / N - xhat * dGamma / N), N the elements per channel; the last is one
     * per-channel affine function of dy and x, so a second pass computes it.
     */
    static void backward(INDArray x, INDArray dy, float[] mean, float[] invStd, float[] gamma, INDArray dx,
                         float[] dGamma, float[] dBeta) {
        FloatBuffer in = floats(x);
        FloatBuffer grad = floats(dy);
        FloatBuffer out = floats(dx);
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        double count = (double) n * hw;
        forEachChannel(c, ch -> {
            float m = mean[ch];
            double sumDy = 0;
            double sumDyCentred = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * hw;
                float s0 = 0;
                float s1 = 0;
                float t0 = 0;
                float t1 = 0;
                int j = 0;
                for (; j + 1 < hw; j += 2) {
                    float d0 = grad.get(base + j);
                    float d1 = grad.get(base + j + 1);
                    s0 += d0;
                    s1 += d1;
                    t0 += d0 * (in.get(base + j) - m);
                    t1 += d1 * (in.get(base + j + 1) - m);
                }
                if (j < hw) {
                    float d = grad.get(base + j);
                    s0 += d;
                    t0 += d * (in.get(base + j) - m);
                }
                sumDy += (double) s0 + s1;
                sumDyCentred += (double) t0 + t1;
            }
            double is = invStd[ch];
            dBeta[ch] = (float) sumDy;
            dGamma[ch] = (float) (sumDyCentred * is);
            double a = gamma[ch] * is;
            double b = -a * is * is * sumDyCentred / count;
            // dx = a * dy + b * (x - mean) - a * sumDy / N
            float fa = (float) a;
            float fb = (float) b;
            float fc = (float) (-a * sumDy / count - b * m);
            for (int i = 0; i < n; i++) {
                int base = (i * c + ch) * hw;
                for (int j = base; j < base + hw; j++) {
                    out.put(j, fa * grad.get(j) + fb * in.get(j) + fc);
                }
            }
        });
    }

    private static void forEachChannel(int channels, IntConsumer body) {
        IntStream range = IntStream.range(0, channels);
        (Nd4j.getEnvironment().maxThreads() > 1 ? range.parallel() : range).forEach(body);
    }
}
