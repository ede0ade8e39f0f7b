package io.sparkcnn.driver.data;

import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.LabeledImage;

import java.io.Serializable;

/** Per-channel min, max, sum and sum of squares over 8-bit images; merged across partitions. */
public final class ChannelStats implements Serializable {
    private static final long serialVersionUID = 1L;
    final int channels;
    final int[] min;
    final int[] max;
    final double[] sum;
    final double[] sumSq;
    long pixelsPerChannel;

    public ChannelStats(int channels) {
        this.channels = channels;
        min = new int[channels];
        max = new int[channels];
        sum = new double[channels];
        sumSq = new double[channels];
        java.util.Arrays.fill(min, 255);
        java.util.Arrays.fill(max, 0);
    }

    public ChannelStats add(LabeledImage image) {
        byte[] px = image.pixels();
        int plane = px.length / channels;
        for (int c = 0; c < channels; c++) {
            int lo = min[c];
            int hi = max[c];
            long s = 0;
            long sq = 0;
            for (int i = c * plane, end = (c + 1) * plane; i < end; i++) {
                int v = px[i] & 0xFF;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
                s += v;
                sq += (long) v * v;
            }
            min[c] = lo;
            max[c] = hi;
            sum[c] += s;
            sumSq[c] += sq;
        }
        pixelsPerChannel += plane;
        return this;
    }

    ChannelStats merge(ChannelStats other) {
        for (int c = 0; c < channels; c++) {
            min[c] = Math.min(min[c], other.min[c]);
            max[c] = Math.max(max[c], other.max[c]);
            sum[c] += other.sum[c];
            sumSq[c] += other.sumSq[c];
        }
        pixelsPerChannel += other.pixelsPerChannel;
        return this;
    }

    public FeatureScaling toScaling(FeatureScaling.Kind kind) {
        double[] a = new double[channels];
        double[] b = new double[channels];
        for (int c = 0; c < channels; c++) {
            if (kind == FeatureScaling.Kind.MINMAX) {
                a[c] = min[c];
                b[c] = max[c];
            } else {
                double mean = sum[c] / pixelsPerChannel;
                a[c] = mean;
                b[c] = Math.sqrt(Math.max(0, sumSq[c] / pixelsPerChannel - mean * mean));
            }
        }
        return kind == FeatureScaling.Kind.MINMAX ? FeatureScaling.minMax(a, b) : FeatureScaling.standardize(a, b);
    }
}
