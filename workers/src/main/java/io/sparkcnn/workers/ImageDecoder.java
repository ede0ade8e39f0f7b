package io.sparkcnn.workers;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Decodes PNG, JPEG, BMP and GIF bytes (javax.imageio) and converts them to the network's shape:
 * gray or RGB, resized bilinearly, 8-bit channels-first. Gray uses the ITU-R 601 luma weights, as PIL's
 * "L" mode does, computed here rather than by Java2D, whose linear-gray colour space would darken it.
 */
public final class ImageDecoder {
    /** Default of data.max-image-pixels: 50 megapixels, whose decoded image and float planes take about 1 GB of heap. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** The config key that sets the pixel limit; skip reasons name it so the user knows what to raise. */
    public static final String MAX_PIXELS_KEY = "data.max-image-pixels";

    static {
        ImageIO.setUseCache(false); // decode in memory; executors may not have a writable tmp dir
    }

    private ImageDecoder() {
    }

    /** Decodes an encoded image of at most {@link #DEFAULT_MAX_PIXELS} pixels. */
    public static BufferedImage decode(byte[] encoded) throws ImageDecodeException {
        return decode(encoded, DEFAULT_MAX_PIXELS);
    }

    /**
     * Decodes an encoded image. Decoder warnings (e.g. "Premature end of JPEG file") count as damage. The size
     * the header declares is checked against {@code maxPixels} before any pixel is decoded: a small file can
     * declare 30000x30000 pixels (a decompression bomb) and the decoder would allocate them all.
     */
    public static BufferedImage decode(byte[] encoded, long maxPixels) throws ImageDecodeException {
        if (encoded.length == 0) {
            throw new ImageDecodeException("empty file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageDecodeException("not a PNG, JPEG, BMP or GIF image (no decoder recognises its header)");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            try {
                reader.setInput(in, true, true);
                checkDeclaredSize(reader, maxPixels);
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new ImageDecodeException("damaged " + reader.getFormatName() + " data: " + warnings.get(0));
                }
                if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
                    throw new ImageDecodeException("decoder returned no pixels");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e.getCause() != null && e.getCause().getMessage() != null) {
                detail += " (" + e.getCause().getMessage() + ")";
            }
            throw new ImageDecodeException("truncated or damaged image: " + detail);
        }
    }

    /** Reads only the header's width and height (every javax.imageio reader can, without decoding pixels). */
    private static void checkDeclaredSize(ImageReader reader, long maxPixels) throws IOException, ImageDecodeException {
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        long pixels = width * height; // both are ints: the product fits in a long
        if (pixels > maxPixels) {
            throw new ImageDecodeException(String.format(Locale.ROOT,
                    "%s image declares %dx%d pixels (%.1f megapixels), above %s = %d",
                    reader.getFormatName().toUpperCase(Locale.ROOT), width, height, pixels / 1e6, MAX_PIXELS_KEY,
                    maxPixels));
        }
    }

    /** Decodes and converts to {@code shape}: 8-bit, channels-first. */
    public static byte[] decodeTo(byte[] encoded, ImageShape shape) throws ImageDecodeException {
        return decodeTo(encoded, shape, DEFAULT_MAX_PIXELS);
    }

    /** Decodes an image of at most {@code maxPixels} pixels and converts it to {@code shape}. */
    public static byte[] decodeTo(byte[] encoded, ImageShape shape, long maxPixels) throws ImageDecodeException {
        return toShape(decode(encoded, maxPixels), shape);
    }

    /** Converts a decoded image to {@code shape}. */
    public static byte[] toShape(BufferedImage image, ImageShape shape) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[][] planes = isGray(image) ? grayPlane(image) : rgbPlanes(image);
        return fromPlanes(planes, h, w, shape);
    }

    /** Converts pixels already in memory (8-bit, channels-first) to {@code shape}. */
    public static byte[] convert(byte[] pixels, int channels, int height, int width, ImageShape shape) {
        if (channels == shape.channels() && height == shape.height() && width == shape.width()) {
            return pixels;
        }
        float[][] planes = new float[channels][height * width];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < height * width; i++) {
                planes[c][i] = pixels[c * height * width + i] & 0xFF;
            }
        }
        return fromPlanes(planes, height, width, shape);
    }

    private static byte[] fromPlanes(float[][] planes, int h, int w, ImageShape shape) {
        float[][] converted = convertChannels(planes, shape.channels());
        int outPlane = shape.height() * shape.width();
        byte[] out = new byte[shape.channels() * outPlane];
        for (int c = 0; c < shape.channels(); c++) {
            float[] resized = resizeBilinear(converted[c], h, w, shape.height(), shape.width());
            for (int i = 0; i < outPlane; i++) {
                int v = Math.round(resized[i]);
                out[c * outPlane + i] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return out;
    }

    private static boolean isGray(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getRaster().getNumBands() <= 2;
    }

    private static float[][] grayPlane(BufferedImage image) {
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        int bits = image.getColorModel().getComponentSize(0);
        float scale = bits == 8 ? 1f : 255f / ((1 << bits) - 1);
        int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        float[] plane = new float[w * h];
        for (int i = 0; i < plane.length; i++) {
            plane[i] = samples[i] * scale;
        }
        return new float[][] {plane};
    }

    private static float[][] rgbPlanes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[][] planes = new float[3][w * h];
        for (int i = 0; i < argb.length; i++) {
            planes[0][i] = (argb[i] >> 16) & 0xFF;
            planes[1][i] = (argb[i] >> 8) & 0xFF;
            planes[2][i] = argb[i] & 0xFF;
        }
        return planes;
    }

    private static float[][] convertChannels(float[][] planes, int channels) {
        if (planes.length == channels) {
            return planes;
        }
        if (channels == 1) {
            float[] gray = new float[planes[0].length];
            for (int i = 0; i < gray.length; i++) {
                gray[i] = 0.299f * planes[0][i] + 0.587f * planes[1][i] + 0.114f * planes[2][i];
            }
            return new float[][] {gray};
        }
        return new float[][] {planes[0], planes[0].clone(), planes[0].clone()};
    }

    /** Bilinear resize with pixel centres aligned (half-pixel offsets), as OpenCV and PIL do. */
    static float[] resizeBilinear(float[] src, int srcH, int srcW, int dstH, int dstW) {
        if (srcH == dstH && srcW == dstW) {
            return src;
        }
        float[] dst = new float[dstH * dstW];
        float sy = (float) srcH / dstH;
        float sx = (float) srcW / dstW;
        for (int y = 0; y < dstH; y++) {
            float fy = Math.max(0f, (y + 0.5f) * sy - 0.5f);
            int y0 = Math.min((int) fy, srcH - 1);
            int y1 = Math.min(y0 + 1, srcH - 1);
            float wy = fy - y0;
            for (int x = 0; x < dstW; x++) {
                float fx = Math.max(0f, (x + 0.5f) * sx - 0.5f);
                int x0 = Math.min((int) fx, srcW - 1);
                int x1 = Math.min(x0 + 1, srcW - 1);
                float wx = fx - x0;
                float top = src[y0 * srcW + x0] * (1 - wx) + src[y0 * srcW + x1] * wx;
                float bottom = src[y1 * srcW + x0] * (1 - wx) + src[y1 * srcW + x1] * wx;
                dst[y * dstW + x] = top * (1 - wy) + bottom * wy;
            }
        }
        return dst;
    }
}
