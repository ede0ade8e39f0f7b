package io.sparkcnn.workers;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), format);
        return out.toByteArray();
    }

    static BufferedImage solid(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    static BufferedImage gray(int w, int h, int[] values) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSamples(0, 0, w, h, 0, values);
        return img;
    }

    @Test
    void rgbToGrayUsesLumaWeights() throws Exception {
        for (String format : new String[] {"png", "bmp", "gif"}) {
            byte[] px = ImageDecoder.decodeTo(encode(solid(40, 30, new Color(200, 100, 50)), format), new ImageShape(1, 30, 40));
            int expected = Math.round(0.299f * 200 + 0.587f * 100 + 0.114f * 50); // 124
            assertEquals(1200, px.length);
            for (byte b : px) {
                assertEquals(expected, b & 0xFF, format);
            }
        }
    }

    @Test
    void grayKeepsItsExactValuesWithoutGammaChange() throws Exception {
        int[] values = new int[28 * 28];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 256;
        }
        byte[] px = ImageDecoder.decodeTo(encode(gray(28, 28, values), "png"), new ImageShape(1, 28, 28));
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], px[i] & 0xFF, "pixel " + i);
        }
    }

    @Test
    void grayToRgbReplicatesIntoThreeChannelsFirst() throws Exception {
        int[] values = {10, 20, 30, 40, 50, 60};
        byte[] px = ImageDecoder.decodeTo(encode(gray(3, 2, values), "png"), new ImageShape(3, 2, 3));
        byte[] plane = {10, 20, 30, 40, 50, 60};
        assertArrayEquals(plane, Arrays.copyOfRange(px, 0, 6));
        assertArrayEquals(plane, Arrays.copyOfRange(px, 6, 12));
        assertArrayEquals(plane, Arrays.copyOfRange(px, 12, 18));
    }

    @Test
    void rgbIsChannelsFirstInRgbOrder() throws Exception {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, new Color(1, 2, 3).getRGB());
        img.setRGB(1, 0, new Color(4, 5, 6).getRGB());
        byte[] px = ImageDecoder.decodeTo(encode(img, "png"), new ImageShape(3, 1, 2));
        assertArrayEquals(new byte[] {1, 4, 2, 5, 3, 6}, px);
    }

    @Test
    void bilinearResizeUsesHalfPixelCentres() {
        // 2x2 -> 4x4: output x=0 maps to source -0.25 (clamped to 0), x=1 to 0.25, x=2 to 0.75, x=3 to 1.25 (clamped)
        float[] src = {0, 100, 100, 200};
        float[] dst = ImageDecoder.resizeBilinear(src, 2, 2, 4, 4);
        assertEquals(0f, dst[0], 1e-4);
        assertEquals(25f, dst[1], 1e-4);
        assertEquals(75f, dst[2], 1e-4);
        assertEquals(100f, dst[3], 1e-4);
        assertEquals(25f + 25f, dst[5], 1e-4); // (0.25, 0.25): 0*.5625 + 100*.1875 + 100*.1875 + 200*.0625
        assertEquals(200f, dst[15], 1e-4);
    }

    @Test
    void downscaleAveragesNeighbours() {
        // 4x1 -> 2x1: centres at 0.5 and 2.5 in source coordinates
        float[] dst = ImageDecoder.resizeBilinear(new float[] {0, 10, 20, 30}, 1, 4, 1, 2);
        assertArrayEquals(new float[] {5f, 25f}, dst, 1e-4f);
    }

    @Test
    void jpegRoundTripIsClose() throws Exception {
        byte[] px = ImageDecoder.decodeTo(encode(solid(16, 16, new Color(90, 90, 90)), "jpg"), new ImageShape(1, 8, 8));
        for (byte b : px) {
            assertTrue(Math.abs((b & 0xFF) - 90) <= 2, "value " + (b & 0xFF));
        }
    }

    @Test
    void truncatedPngIsDamaged() throws Exception {
        byte[] png = encode(noise(64, 64), "png");
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.decode(Arrays.copyOf(png, png.length / 2)));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void truncatedJpegIsDamagedAlthoughImageIoReturnsPixels() throws Exception {
        byte[] jpg = encode(noise(64, 64), "jpg");
        byte[] cut = Arrays.copyOf(jpg, jpg.length * 2 / 3);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(cut));
        assertTrue(e.getMessage().toLowerCase().contains("jpeg") || e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void unknownFormatAndEmptyFilesAreRejected() {
        byte[] random = new byte[100];
        new Random(1).nextBytes(random);
        random[0] = 0x42; // not a PNG/JPEG/GIF/BMP signature
        random[1] = 0x00;
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(random));
        assertTrue(e.getMessage().contains("no decoder"), e.getMessage());
        assertEquals("empty file", assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(new byte[0])).getMessage());
    }

    @Test
    void inlinePixelsAreResizedOnlyWhenNeeded() {
        byte[] idx = new byte[28 * 28];
        idx[0] = (byte) 255;
        assertTrue(idx == ImageDecoder.convert(idx, 1, 28, 28, new ImageShape(1, 28, 28)), "same shape: no copy");
        byte[] small = ImageDecoder.convert(new byte[] {0, 10, 20, 30}, 1, 1, 4, new ImageShape(1, 1, 2));
        assertArrayEquals(new byte[] {5, 25}, small);
        byte[] rgb = ImageDecoder.convert(new byte[] {7, 8}, 1, 1, 2, new ImageShape(3, 1, 2));
        assertArrayEquals(new byte[] {7, 8, 7, 8, 7, 8}, rgb);
    }

    static BufferedImage noise(int w, int h) {
        Random r = new Random(5);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0xFFFFFF));
            }
        }
        return img;
    }
}
