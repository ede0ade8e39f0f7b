package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.ImageDecoder;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.SampleRef;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small file whose header declares a huge image (a decompression bomb) is skipped from its header alone,
 * before the decoder allocates the pixels; the limit is data.max-image-pixels.
 */
class ImageBombTest {
    @TempDir
    Path dir;

    static final ImageShape SHAPE = new ImageShape(1, 28, 28);

    /** A PNG written byte by byte: 8-bit gray of the declared size, then a few hundred bytes of zlib'd zeros. */
    static byte[] pngDeclaring(int width, int height) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] header = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array(); // depth 8, gray
        chunk(png, "IHDR", header);
        Deflater zlib = new Deflater();
        zlib.setInput(new byte[64 * 1024]);
        zlib.finish();
        byte[] compressed = new byte[4096];
        int n = zlib.deflate(compressed);
        assertTrue(zlib.finished());
        chunk(png, "IDAT", Arrays.copyOf(compressed, n));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        DataOutputStream out = new DataOutputStream(png);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(typeBytes);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    private DecodeOutcome decodeFile(String name, byte[] bytes, long maxPixels) throws IOException {
        Path file = Files.write(dir.resolve(name), bytes);
        return DecodePartition.decode(SampleRef.file(file.toUri().toString(), 0), new HashMap<>(), new Configuration(),
                SHAPE, maxPixels);
    }

    @Test
    void pngDeclaring30000By30000IsSkippedFromItsHeader() throws Exception {
        byte[] bomb = pngDeclaring(30000, 30000);
        assertTrue(bomb.length < 1000, "the bomb itself is tiny: " + bomb.length + " bytes");
        // a real decode allocates the 900 MB raster before it reads a row, and our conversion 3.6 GB more
        DecodeOutcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> decodeFile("bomb.png", bomb, ImageDecoder.DEFAULT_MAX_PIXELS));
        assertFalse(outcome.isOk());
        assertTrue(outcome.skippedId().endsWith("/bomb.png"), outcome.skippedId());
        assertEquals("PNG image declares 30000x30000 pixels (900.0 megapixels), above data.max-image-pixels = 50000000",
                outcome.reason());
    }

    @Test
    void everyFormatIsCheckedAgainstTheConfiguredLimit() throws Exception {
        BufferedImage image = new BufferedImage(1000, 600, BufferedImage.TYPE_INT_RGB);
        for (String format : new String[] {"png", "jpeg", "bmp", "gif"}) {
            ByteArrayOutputStream encoded = new ByteArrayOutputStream();
            assertTrue(ImageIO.write(image, format, encoded), format);
            DecodeOutcome refused = decodeFile("big." + format, encoded.toByteArray(), 599_999);
            assertEquals(format.toUpperCase(java.util.Locale.ROOT) + " image declares 1000x600 pixels (0.6 megapixels), above"
                    + " data.max-image-pixels = 599999", refused.reason(), format);
            assertTrue(decodeFile("big." + format, encoded.toByteArray(), 600_000).isOk(), format + " at the limit");
        }
    }

    @Test
    void theLimitIsAConfigKeyThatMustBePositive() {
        assertEquals(50_000_000L, ConfigLoader.fromString("data { format = image-folder, path = \"x\" }").data()
                .maxImagePixels());
        assertEquals(1234L, ConfigLoader.fromString("data { format = image-folder, path = \"x\" }",
                "data.max-image-pixels=1234").data().maxImagePixels());
        for (String bad : new String[] {"0", "-5"}) {
            String m = assertThrows(InvalidInputException.class, () -> ConfigLoader.fromString(
                    "data { format = image-folder, path = \"x\" }", "data.max-image-pixels=" + bad)).getMessage();
            assertEquals("data.max-image-pixels must be a whole number >= 1, got " + bad, m);
        }
    }
}
