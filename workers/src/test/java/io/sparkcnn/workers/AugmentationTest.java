package io.sparkcnn.workers;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentationTest {
    private static final ImageShape RGB = new ImageShape(3, 6, 8);
    private static final ImageShape SQUARE = new ImageShape(1, 5, 5);

    /** Pixels 1..255 (never 0, so a 0 in the output is padding), seeded. */
    static byte[] image(ImageShape shape, long seed) {
        Random random = new Random(seed);
        byte[] px = new byte[shape.pixels()];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (1 + random.nextInt(255));
        }
        return px;
    }

    static int at(byte[] px, ImageShape s, int c, int y, int x) {
        return px[(c * s.height() + y) * s.width() + x] & 0xFF;
    }

    static float at(float[] px, ImageShape s, int c, int y, int x) {
        return px[(c * s.height() + y) * s.width() + x];
    }

    static float[] floats(byte[] px) {
        float[] f = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            f[i] = px[i] & 0xFF;
        }
        return f;
    }

    static float[] transform(byte[] px, ImageShape s, boolean flip, int top, int left, int shiftY, int shiftX,
                             double degrees) {
        float[] out = new float[s.pixels()];
        Arrays.fill(out, -1); // every pixel must be written
        Augmentation.transform(px, s, flip, top, left, shiftY, shiftX, degrees, out, 0);
        return out;
    }

    @Test
    void noAugmentationAndAZeroCropReturnTheImageUnchanged() {
        byte[] px = image(RGB, 1);
        assertTrue(Augmentation.NONE.isNone());
        assertArrayEquals(floats(px), Augmentation.NONE.apply(px, RGB, new SplittableRandom(1)));
        Augmentation zeroCrop = new Augmentation(false, 0, 0, 0, 0, 0);
        assertTrue(zeroCrop.isNone());
        assertArrayEquals(floats(px), zeroCrop.apply(px, RGB, new SplittableRandom(2)));
        // the crop window that sits on the original (offset 0 in the padded image's p) is the original
        assertArrayEquals(floats(px), transform(px, RGB, false, 0, 0, 0, 0, 0));
    }

    @Test
    void aFlipIsAnExactMirrorOfEveryRowOfEveryChannel() {
        byte[] px = image(RGB, 2);
        float[] out = transform(px, RGB, true, 0, 0, 0, 0, 0);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < RGB.height(); y++) {
                for (int x = 0; x < RGB.width(); x++) {
                    assertEquals(at(px, RGB, c, y, RGB.width() - 1 - x), at(out, RGB, c, y, x), c + "," + y + "," + x);
                }
            }
        }
    }

    @Test
    void aRandomFlipEitherMirrorsOrKeepsTheImageAboutHalfTheTime() {
        byte[] px = image(RGB, 3);
        float[] same = floats(px);
        float[] mirrored = transform(px, RGB, true, 0, 0, 0, 0, 0);
        Augmentation flip = new Augmentation(true, 0, 0, 0, 0, 0);
        SplittableRandom random = new SplittableRandom(7);
        int flipped = 0;
        for (int i = 0; i < 400; i++) {
            float[] out = flip.apply(px, RGB, random);
            boolean isMirror = Arrays.equals(mirrored, out);
            assertTrue(isMirror || Arrays.equals(same, out), "draw " + i + " is neither the image nor its mirror");
            flipped += isMirror ? 1 : 0;
        }
        assertTrue(flipped > 150 && flipped < 250, "flipped " + flipped + " of 400");
    }

    @Test
    void aCropReadsTheOriginalShiftedAndFillsThePaddingWithZero() {
        byte[] px = image(RGB, 4);
        // window's top-left corner 2 rows above and 3 columns right of the original's
        float[] out = transform(px, RGB, false, -2, 3, 0, 0, 0);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < RGB.height(); y++) {
                for (int x = 0; x < RGB.width(); x++) {
                    int sy = y - 2;
                    int sx = x + 3;
                    boolean inside = sy >= 0 && sx < RGB.width();
                    assertEquals(inside ? at(px, RGB, c, sy, sx) : 0f, at(out, RGB, c, y, x), c + "," + y + "," + x);
                }
            }
        }
    }

    @Test
    void randomCropsStayWithinThePaddingAndTheRestIsZero() {
        byte[] px = image(RGB, 5);
        Augmentation crop = new Augmentation(false, 3, 0, 0, 0, 0);
        SplittableRandom random = new SplittableRandom(11);
        java.util.Set<String> offsets = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            float[] out = crop.apply(px, RGB, random);
            // find the offset: the one window position (|dy|, |dx| <= 3) whose non-padded pixels all match
            int found = 0;
            for (int dy = -3; dy <= 3; dy++) {
                for (int dx = -3; dx <= 3; dx++) {
                    if (matchesWindow(px, out, dy, dx)) {
                        found++;
                        offsets.add(dy + "," + dx);
                    }
                }
            }
            assertEquals(1, found, "draw " + i + " is one crop of the padded image");
        }
        assertEquals(49, offsets.size(), "every one of the 7 x 7 windows is drawn");
    }

    private static boolean matchesWindow(byte[] px, float[] out, int dy, int dx) {
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < RGB.height(); y++) {
                for (int x = 0; x < RGB.width(); x++) {
                    int sy = y + dy;
                    int sx = x + dx;
                    boolean inside = sy >= 0 && sy < RGB.height() && sx >= 0 && sx < RGB.width();
                    if (at(out, RGB, c, y, x) != (inside ? at(px, RGB, c, sy, sx) : 0)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Test
    void flipComesBeforeTheCropAndTheShiftAfterIt() {
        byte[] px = image(RGB, 6);
        int w = RGB.width();
        float[] out = transform(px, RGB, true, 1, -1, 2, -3, 0);
        for (int y = 0; y < RGB.height(); y++) {
            for (int x = 0; x < w; x++) {
                // shift: (y, x) comes from (y - 2, x + 3) of the crop; crop: + (1, -1) in the flipped image
                int cy = y - 2;
                int cx = x + 3;
                int fy = cy + 1;
                int fx = cx - 1;
                boolean inside = cy >= 0 && cy < RGB.height() && cx >= 0 && cx < w
                        && fy >= 0 && fy < RGB.height() && fx >= 0 && fx < w;
                assertEquals(inside ? at(px, RGB, 1, fy, w - 1 - fx) : 0f, at(out, RGB, 1, y, x), y + "," + x);
            }
        }
    }

    @Test
    void translationShiftsByWholePixelsWithinTheFractionAndFillsZero() {
        byte[] px = image(SQUARE, 7);
        Augmentation shift = new Augmentation(false, 0, 0.4, 0, 0, 0); // up to 2 pixels either way
        SplittableRandom random = new SplittableRandom(3);
        java.util.Set<String> shifts = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            float[] out = shift.apply(px, SQUARE, random);
            String found = null;
            for (int ty = -2; ty <= 2 && found == null; ty++) {
                for (int tx = -2; tx <= 2 && found == null; tx++) {
                    if (Arrays.equals(out, transform(px, SQUARE, false, 0, 0, ty, tx, 0))) {
                        found = ty + "," + tx;
                    }
                }
            }
            assertTrue(found != null, "draw " + i + " is a whole-pixel shift of at most 2");
            shifts.add(found);
        }
        assertEquals(25, shifts.size(), "every shift in [-2, 2] x [-2, 2] occurs: " + shifts);
    }

    @Test
    void rotationByZeroIsTheIdentityAndByNinetyDegreesTurnsCounterClockwise() {
        byte[] px = image(SQUARE, 8);
        assertArrayEquals(floats(px), transform(px, SQUARE, false, 0, 0, 0, 0, 0));
        float[] quarter = transform(px, SQUARE, false, 0, 0, 0, 0, 90);
        float[] half = transform(px, SQUARE, false, 0, 0, 0, 0, 180);
        int n = SQUARE.width();
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                // counter-clockwise: the top-right corner goes to the top-left
                assertEquals(at(px, SQUARE, 0, x, n - 1 - y), at(quarter, SQUARE, 0, y, x), 1e-3, "90: " + y + "," + x);
                assertEquals(at(px, SQUARE, 0, n - 1 - y, n - 1 - x), at(half, SQUARE, 0, y, x), 1e-3, "180: " + y + "," + x);
            }
        }
    }

    @Test
    void aSmallRotationBlendsNeighboursAndFillsTheCornersWithZero() {
        byte[] px = new byte[SQUARE.pixels()];
        Arrays.fill(px, (byte) 200);
        float[] out = transform(px, SQUARE, false, 0, 0, 0, 0, 30);
        assertEquals(200f, at(out, SQUARE, 0, 2, 2), 1e-3, "the centre stays");
        assertTrue(at(out, SQUARE, 0, 0, 0) < 200f, "a corner reads partly outside the image: " + at(out, SQUARE, 0, 0, 0));
        for (float v : out) {
            assertTrue(v >= 0 && v <= 255, "in 0..255: " + v);
        }
    }

    @Test
    void brightnessAndContrastStayIn0To255() {
        Augmentation strong = new Augmentation(false, 0, 0, 0, 3, 3);
        SplittableRandom random = new SplittableRandom(5);
        boolean changed = false;
        for (int i = 0; i < 100; i++) {
            byte[] px = image(RGB, 100 + i);
            float[] out = strong.apply(px, RGB, random);
            for (float v : out) {
                assertTrue(v >= 0 && v <= 255, "in 0..255: " + v);
            }
            changed |= !Arrays.equals(floats(px), out);
        }
        assertTrue(changed);
    }

    @Test
    void brightnessMultipliesAndContrastBlendsWithTheMeanGray() {
        float[] gray = {10, 20, 30, 40};
        Augmentation.brightness(gray, 0, 4, 2f);
        assertArrayEquals(new float[] {20, 40, 60, 80}, gray);
        Augmentation.brightness(gray, 0, 4, 4f);
        assertArrayEquals(new float[] {80, 160, 240, 255}, gray, "clamped at 255");

        float[] flat = {10, 20, 30, 40};
        Augmentation.contrast(flat, 0, new ImageShape(1, 2, 2), 0f);
        assertArrayEquals(new float[] {25, 25, 25, 25}, flat, "factor 0 leaves the mean gray");
        float[] doubled = {10, 20, 30, 40};
        Augmentation.contrast(doubled, 0, new ImageShape(1, 2, 2), 2f);
        assertArrayEquals(new float[] {0, 15, 35, 55}, doubled, "25 + 2 (v - 25), clamped at 0");

        // RGB: the mean of torchvision's luma (0.2989 R + 0.587 G + 0.114 B), one value for every channel
        float[] rgb = {100, 100, 0, 0, 200, 200};
        Augmentation.contrast(rgb, 0, new ImageShape(3, 1, 2), 0f);
        float luma = 0.2989f * 100 + 0.587f * 0 + 0.114f * 200;
        for (float v : rgb) {
            assertEquals(luma, v, 1e-3);
        }
    }

    @Test
    void theSameSeedGivesTheSameImagesAndAnotherSeedOthers() {
        Augmentation all = new Augmentation(true, 2, 0.2, 20, 0.3, 0.3);
        byte[] px = image(RGB, 9);
        SplittableRandom a = new SplittableRandom(42);
        SplittableRandom b = new SplittableRandom(42);
        SplittableRandom c = new SplittableRandom(43);
        boolean differs = false;
        for (int i = 0; i < 10; i++) {
            float[] fromA = all.apply(px, RGB, a);
            assertArrayEquals(fromA, all.apply(px, RGB, b), "draw " + i);
            differs |= !Arrays.equals(fromA, all.apply(px, RGB, c));
        }
        assertTrue(differs);
    }

    @Test
    void writesIntoABufferAtAnOffsetAndNowhereElse() {
        byte[] px = image(SQUARE, 10);
        float[] buffer = new float[3 * SQUARE.pixels()];
        Arrays.fill(buffer, -7);
        new Augmentation(true, 1, 0.2, 10, 0.1, 0.1).apply(px, SQUARE, new SplittableRandom(1), buffer, SQUARE.pixels());
        for (int i = 0; i < buffer.length; i++) {
            boolean mine = i >= SQUARE.pixels() && i < 2 * SQUARE.pixels();
            assertEquals(mine, buffer[i] != -7, "index " + i);
        }
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, -1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, 0, 1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, 0, 0, 181, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, 0, 0, 0, -0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(false, 0, 0, 0, 0, Double.NaN));
        assertFalse(new Augmentation(false, 0, 0, 0, 0.1, 0).isNone());
    }

    @Test
    void describesWhatIsAppliedInOrder() {
        assertEquals("none", Augmentation.NONE.describe());
        assertEquals("horizontal flip (p = 0.5), then random crop after 4 px of zero padding",
                new Augmentation(true, 4, 0, 0, 0, 0).describe());
        assertEquals("rotation by up to 15 degrees (bilinear, fill 0), then brightness factor in [0.8, 1.2]",
                new Augmentation(false, 0, 0, 15, 0.2, 0).describe());
    }
}
