package io.sparkcnn.driver.data;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.DataConfig;
import io.sparkcnn.workers.LabeledImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ingest of a generated image folder on local Spark: PNG and JPEG (plus BMP and GIF), gray and RGB,
 * mixed sizes, one truncated file that must be skipped and listed while the rest is used.
 */
class ImageFolderIngestTest {
    @TempDir
    static Path root;

    /** Class "dark": gray images of value 40; class "light": RGB images of (200, 220, 240). */
    @BeforeAll
    static void generate() throws IOException {
        Path dark = Files.createDirectories(root.resolve("tree/dark"));
        Path light = Files.createDirectories(root.resolve("tree/light"));
        for (int i = 0; i < 10; i++) {
            int w = 20 + i * 3;
            int h = 16 + i;
            write(gray(w, h, 40), "png", dark.resolve("d" + i + ".png"));
            write(rgb(w + 5, h, new Color(200, 220, 240)), i % 2 == 0 ? "jpg" : "png",
                    light.resolve("l" + i + (i % 2 == 0 ? ".jpg" : ".png")));
        }
        write(gray(10, 10, 40), "bmp", dark.resolve("extra.bmp"));
        write(rgb(12, 9, new Color(200, 220, 240)), "gif", light.resolve("extra.gif"));
        byte[] png = encode(gray(30, 30, 40), "png");
        Files.write(dark.resolve("broken.png"), Arrays.copyOf(png, png.length / 2));
        Files.writeString(dark.resolve("notes.txt"), "not an image, ignored by extension");
        Files.createDirectories(root.resolve("empty-class/a"));
        write(gray(8, 8, 1), "png", root.resolve("empty-class/a/x.png"));
        Files.createDirectories(root.resolve("empty-class/b"));
        Files.createDirectories(root.resolve("tiny/a"));
        Files.createDirectories(root.resolve("tiny/b"));
        for (int i = 0; i < 2; i++) {
            write(gray(8, 8, 1), "png", root.resolve("tiny/a/" + i + ".png"));
            write(gray(8, 8, 1), "png", root.resolve("tiny/b/" + i + ".png"));
        }
        Files.createDirectories(root.resolve("no-classes"));
    }

    static BufferedImage gray(int w, int h, int value) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        return img;
    }

    static BufferedImage rgb(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "encoder for " + format);
        return out.toByteArray();
    }

    static void write(BufferedImage img, String format, Path file) throws IOException {
        Files.write(file, encode(img, format));
    }

    static DataConfig config(String folder, String channels) {
        return ConfigLoader.fromString("data { format = image-folder, height = 12, width = 10, validation-fraction = 0.2,"
                + " test-fraction = 0.2, channels = " + channels + " }",
                "data.path=" + root.resolve(folder).toUri()).data();
    }

    static PreparedData prepare(DataConfig cfg) {
        var sc = LocalSpark.get();
        return DatasetPreparer.prepare(sc, cfg, DatasetPreparer.plan(cfg, sc.hadoopConfiguration()),
                root.resolve("rdd-checkpoints").toUri().toString());
    }

    @Test
    void decodesGrayTreeAndListsTheCorruptFile() {
        PreparedData data = prepare(config("tree", "gray"));
        try {
            assertEquals(List.of("dark", "light"), data.classNames());
            assertEquals(1, data.skipped().size());
            SkippedFile skipped = data.skipped().get(0);
            assertTrue(skipped.path().endsWith("dark/broken.png"), skipped.path());
            assertTrue(skipped.reason().contains("truncated") || skipped.reason().contains("damaged"), skipped.reason());
            long total = data.count(Split.TRAIN) + data.count(Split.VALIDATION) + data.count(Split.TEST);
            assertEquals(22, total, "23 images listed, notes.txt ignored, broken.png skipped");
            List<LabeledImage> all = data.train().union(data.validation()).union(data.test()).collect();
            Map<Integer, List<LabeledImage>> byLabel = all.stream().collect(Collectors.groupingBy(LabeledImage::label));
            int lightGray = Math.round(0.299f * 200 + 0.587f * 220 + 0.114f * 240);
            for (LabeledImage img : byLabel.get(0)) {
                assertEquals(120, img.pixels().length, "12x10x1");
                for (byte b : img.pixels()) {
                    assertEquals(40, b & 0xFF, img.id());
                }
            }
            for (LabeledImage img : byLabel.get(1)) {
                for (byte b : img.pixels()) {
                    assertTrue(Math.abs((b & 0xFF) - lightGray) <= 3, img.id() + ": " + (b & 0xFF)); // JPEG is lossy
                }
            }
            assertArrayEquals(new double[] {40}, data.scaling().first());
            assertTrue(Math.abs(data.scaling().second()[0] - lightGray) <= 3);
        } finally {
            data.unpersist();
        }
    }

    @Test
    void rgbModeKeepsChannelsFirst() {
        PreparedData data = prepare(config("tree", "rgb"));
        try {
            for (LabeledImage img : data.train().collect()) {
                assertEquals(360, img.pixels().length, "3x12x10");
                if (img.label() == 1 && img.id().endsWith(".png")) {
                    assertEquals(200, img.pixels()[0] & 0xFF, "red plane first");
                    assertEquals(220, img.pixels()[120] & 0xFF, "then green");
                    assertEquals(240, img.pixels()[240] & 0xFF, "then blue");
                }
                if (img.label() == 0) {
                    assertEquals(40, img.pixels()[239] & 0xFF, "gray replicated into every channel");
                }
            }
        } finally {
            data.unpersist();
        }
    }

    @Test
    void emptyClassFolderIsAnErrorNamingIt() {
        var sc = LocalSpark.get();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> DatasetPreparer.plan(config("empty-class", "gray"), sc.hadoopConfiguration()));
        assertTrue(e.getMessage().contains("empty-class/b"), e.getMessage());
    }

    @Test
    void folderWithoutClassesIsAnError() {
        var sc = LocalSpark.get();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> DatasetPreparer.plan(config("no-classes", "gray"), sc.hadoopConfiguration()));
        assertTrue(e.getMessage().contains("no-classes"), e.getMessage());
    }

    @Test
    void tooFewImagesForTheSplitIsAnErrorNamingTheClass() {
        var sc = LocalSpark.get();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> DatasetPreparer.plan(config("tiny", "gray"), sc.hadoopConfiguration()));
        assertTrue(e.getMessage().contains("class 'a' has 2 image(s)"), e.getMessage());
    }

    @Test
    void missingFolderIsAnErrorNamingThePath() {
        var sc = LocalSpark.get();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> DatasetPreparer.plan(config("does-not-exist", "gray"), sc.hadoopConfiguration()));
        assertTrue(e.getMessage().contains("does-not-exist"), e.getMessage());
    }
}
