package io.sparkcnn.workers;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Random changes to a training image ({@code data.augment.*}), with the meanings of torchvision's transforms and
 * Keras' preprocessing layers, applied in this order: horizontal flip (p = 0.5, RandomHorizontalFlip), random crop
 * of the original size after padding each side with {@code cropPadding} zero pixels (RandomCrop(padding=p)),
 * an integer shift by up to {@code translate} of the height and width (Keras RandomTranslation, fill 0), a rotation
 * by up to {@code rotation} degrees either way (torchvision RandomRotation, bilinear, fill 0), a brightness factor
 * in [max(0, 1 - b), 1 + b] and a contrast factor around the image's mean gray in [max(0, 1 - c), 1 + c]
 * (ColorJitter), each clamped to [0, 255].
 *
 * <p>It works on the raw 0..255 pixels, before feature scaling, and writes floats straight into a minibatch's
 * feature buffer: the geometric steps are composed into one lookup per output pixel (no intermediate image), so
 * an image costs one pass, two with brightness or contrast. All randomness comes from the caller's generator,
 * drawn in a fixed order, so a seed gives the same images on any JVM (the rotation's sine and cosine come from
 * {@link StrictMath}).
 */
public record Augmentation(boolean horizontalFlip, int cropPadding, double translate, double rotation,
                           double brightness, double contrast) implements Serializable {
    public static final Augmentation NONE = new Augmentation(false, 0, 0, 0, 0, 0);

    /** Luma weights of torchvision's rgb_to_grayscale, whose mean adjust_contrast blends with. */
    private static final float LUMA_R = 0.2989f;
    private static final float LUMA_G = 0.587f;
    private static final float LUMA_B = 0.114f;

    public Augmentation {
        if (cropPadding < 0) {
            throw new IllegalArgumentException("crop padding must be 0 or more, got " + cropPadding);
        }
        if (!(translate >= 0 && translate < 1)) {
            throw new IllegalArgumentException("translate must be a fraction in [0, 1), got " + translate);
        }
        if (!(rotation >= 0 && rotation <= 180)) {
            throw new IllegalArgumentException("rotation must be in [0, 180] degrees, got " + rotation);
        }
        if (!(brightness >= 0 && Double.isFinite(brightness))) {
            throw new IllegalArgumentException("brightness must be 0 or more, got " + brightness);
        }
        if (!(contrast >= 0 && Double.isFinite(contrast))) {
            throw new IllegalArgumentException("contrast must be 0 or more, got " + contrast);
        }
    }

    /** True when no image is changed. */
    public boolean isNone() {
        return !horizontalFlip && cropPadding == 0 && translate == 0 && rotation == 0 && brightness == 0 && contrast == 0;
    }

    /** What is applied, in order, for a log line or manifest.json ("none" when nothing). */
    public String describe() {
        List<String> steps = new ArrayList<>();
        if (horizontalFlip) {
            steps.add("horizontal flip (p = 0.5)");
        }
        if (cropPadding > 0) {
            steps.add("random crop after " + cropPadding + " px of zero padding");
        }
        if (translate > 0) {
            steps.add(String.format(Locale.ROOT, "shift by up to %s of height and width (fill 0)", num(translate)));
        }
        if (rotation > 0) {
            steps.add(String.format(Locale.ROOT, "rotation by up to %s degrees (bilinear, fill 0)", num(rotation)));
        }
        if (brightness > 0) {
            steps.add(String.format(Locale.ROOT, "brightness factor in [%s, %s]", num(Math.max(0, 1 - brightness)),
                    num(1 + brightness)));
        }
        if (contrast > 0) {
            steps.add(String.format(Locale.ROOT, "contrast factor in [%s, %s]", num(Math.max(0, 1 - contrast)),
                    num(1 + contrast)));
        }
        return steps.isEmpty() ? "none" : String.join(", then ", steps);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** {@code pixels} augmented, as 0..255 floats in the same CHW layout (a new array; for tests and tools). */
    public float[] apply(byte[] pixels, ImageShape shape, SplittableRandom random) {
        float[] out = new float[shape.pixels()];
        apply(pixels, shape, random, out, 0);
        return out;
    }

    /**
     * Writes {@code pixels} augmented into {@code out[offset .. offset + shape.pixels())} as 0..255 floats, CHW.
     * Draws from {@code random} in a fixed order (flip, crop offsets, shifts, angle, brightness, contrast), only for
     * the steps that are on.
     */
    public void apply(byte[] pixels, ImageShape shape, SplittableRandom random, float[] out, int offset) {
        int h = shape.height();
        int w = shape.width();
        boolean flip = horizontalFlip && random.nextBoolean();
        int top = 0;
        int left = 0;
        if (cropPadding > 0) {
            // torchvision's RandomCrop: top then left, each uniform over the 2p + 1 positions in the padded image
            top = random.nextInt(2 * cropPadding + 1) - cropPadding;
            left = random.nextInt(2 * cropPadding + 1) - cropPadding;
        }
        int shiftY = 0;
        int shiftX = 0;
        if (translate > 0) {
            shiftY = (int) Math.round(symmetric(random, translate * h));
            shiftX = (int) Math.round(symmetric(random, translate * w));
        }
        double angle = rotation > 0 ? symmetric(random, rotation) : 0;
        double brightnessFactor = brightness > 0 ? factor(random, brightness) : 1;
        double contrastFactor = contrast > 0 ? factor(random, contrast) : 1;
        transform(pixels, shape, flip, top, left, shiftY, shiftX, angle, out, offset);
        if (brightnessFactor != 1) {
            brightness(out, offset, shape.pixels(), (float) brightnessFactor);
        }
        if (contrastFactor != 1) {
            contrast(out, offset, shape, (float) contrastFactor);
        }
    }

    /** Uniform in [-max, max). */
    private static double symmetric(SplittableRandom random, double max) {
        return (2 * random.nextDouble() - 1) * max;
    }

    /** Uniform in [max(0, 1 - amount), 1 + amount), as ColorJitter draws its factors. */
    private static double factor(SplittableRandom random, double amount) {
        double lo = Math.max(0, 1 - amount);
        double hi = 1 + amount;
        return lo + random.nextDouble() * (hi - lo);
    }

    /**
     * The geometric steps with their random choices made: flip, then a crop whose top-left corner lies at
     * ({@code top}, {@code left}) relative to the original (negative: in the zero padding), then a shift by
     * ({@code shiftY}, {@code shiftX}) pixels (down, right), then a counter-clockwise rotation by {@code degrees}
     * about the image centre. Output pixel (y, x) before the rotation reads the original at
     * (y - shiftY + top, x - shiftX + left), mirrored in x when flipped, and is 0 wherever any step left no pixel.
     */
    static void transform(byte[] src, ImageShape shape, boolean flip, int top, int left, int shiftY, int shiftX,
                          double degrees, float[] out, int offset) {
        int h = shape.height();
        int w = shape.width();
        int plane = h * w;
        int dy = top - shiftY; // original row = output row + dy
        int dx = left - shiftX;
        // output rows/columns that still hold a pixel: inside the shifted crop and inside the original
        int yLo = Math.max(Math.max(0, shiftY), -dy);
        int yHi = Math.min(Math.min(h, h + shiftY), h - dy);
        int xLo = Math.max(Math.max(0, shiftX), -dx);
        int xHi = Math.min(Math.min(w, w + shiftX), w - dx);
        if (degrees == 0) {
            for (int c = 0; c < shape.channels(); c++) {
                int cBase = c * plane;
                for (int y = 0; y < h; y++) {
                    int o = offset + cBase + y * w;
                    if (y < yLo || y >= yHi || xLo >= xHi) {
                        java.util.Arrays.fill(out, o, o + w, 0f);
                        continue;
                    }
                    java.util.Arrays.fill(out, o, o + xLo, 0f);
                    java.util.Arrays.fill(out, o + xHi, o + w, 0f);
                    int row = cBase + (y + dy) * w;
                    if (flip) {
                        int mirror = row + w - 1 - dx; // source of x: row + w - 1 - (x + dx)
                        for (int x = xLo; x < xHi; x++) {
                            out[o + x] = src[mirror - x] & 0xFF;
                        }
                    } else {
                        int s = row + dx;
                        for (int x = xLo; x < xHi; x++) {
                            out[o + x] = src[s + x] & 0xFF;
                        }
                    }
                }
            }
            return;
        }
        double rad = Math.toRadians(degrees);
        double cos = StrictMath.cos(rad);
        double sin = StrictMath.sin(rad);
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        for (int y = 0; y < h; y++) {
            double v = y - cy;
            for (int x = 0; x < w; x++) {
                double u = x - cx;
                // inverse of the counter-clockwise rotation (y points down): where this output pixel comes from
                double xs = cx + u * cos - v * sin;
                double ys = cy + u * sin + v * cos;
                int x0 = (int) Math.floor(xs);
                int y0 = (int) Math.floor(ys);
                float fx = (float) (xs - x0);
                float fy = (float) (ys - y0);
                float w00 = (1 - fx) * (1 - fy);
                float w01 = fx * (1 - fy);
                float w10 = (1 - fx) * fy;
                float w11 = fx * fy;
                boolean r0 = y0 >= yLo && y0 < yHi;
                boolean r1 = y0 + 1 >= yLo && y0 + 1 < yHi;
                boolean c0 = x0 >= xLo && x0 < xHi;
                boolean c1 = x0 + 1 >= xLo && x0 + 1 < xHi;
                int sx0 = flip ? w - 1 - (x0 + dx) : x0 + dx;
                int sx1 = flip ? w - 1 - (x0 + 1 + dx) : x0 + 1 + dx;
                int row0 = (y0 + dy) * w;
                int row1 = row0 + w;
                int o = offset + y * w + x;
                for (int c = 0; c < shape.channels(); c++) {
                    int cBase = c * plane;
                    float value = 0;
                    if (r0 && c0) {
                        value += w00 * (src[cBase + row0 + sx0] & 0xFF);
                    }
                    if (r0 && c1) {
                        value += w01 * (src[cBase + row0 + sx1] & 0xFF);
                    }
                    if (r1 && c0) {
                        value += w10 * (src[cBase + row1 + sx0] & 0xFF);
                    }
                    if (r1 && c1) {
                        value += w11 * (src[cBase + row1 + sx1] & 0xFF);
                    }
                    out[o + cBase] = Math.min(255f, value); // the weights' float sum may pass 1 by an ulp
                }
            }
        }
    }

    /** v * f, clamped to [0, 255] (torchvision's adjust_brightness). */
    static void brightness(float[] out, int offset, int length, float f) {
        for (int i = offset; i < offset + length; i++) {
            out[i] = Math.min(255f, out[i] * f);
        }
    }

    /** mean + f * (v - mean) over the image's mean gray, clamped to [0, 255] (torchvision's adjust_contrast). */
    static void contrast(float[] out, int offset, ImageShape shape, float f) {
        int plane = shape.height() * shape.width();
        double sum = 0;
        if (shape.channels() == 3) {
            for (int p = offset; p < offset + plane; p++) {
                sum += LUMA_R * out[p] + LUMA_G * out[p + plane] + LUMA_B * out[p + 2 * plane];
            }
        } else {
            for (int p = offset; p < offset + plane; p++) {
                sum += out[p];
            }
        }
        float mean = (float) (sum / plane);
        for (int i = offset; i < offset + shape.pixels(); i++) {
            out[i] = Math.max(0f, Math.min(255f, mean + f * (out[i] - mean)));
        }
    }
}
