package io.sparkcnn.driver.data;

import io.sparkcnn.driver.TestData;
import io.sparkcnn.driver.common.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IDX parsing against the real Fashion-MNIST files (Debian package dataset-fashion-mnist). */
class IdxFileTest {
    @TempDir
    Path tmp;
    final Configuration conf = new Configuration();

    static String uri(String name) {
        return TestData.fashionMnistDir().resolve(name).toUri().toString();
    }

    @Test
    void readsTheFashionMnistHeaders() {
        IdxFile train = IdxFile.read(uri("train-images-idx3-ubyte.gz"), conf);
        assertArrayEquals(new int[] {60000, 28, 28}, train.dims());
        assertEquals(784, train.itemSize());
        assertEquals(60000L * 784, train.data().length);
        assertArrayEquals(new int[] {10000, 28, 28}, IdxFile.read(uri("t10k-images-idx3-ubyte.gz"), conf).dims());
        assertArrayEquals(new int[] {10000}, IdxFile.read(uri("t10k-labels-idx1-ubyte.gz"), conf).dims());
    }

    @Test
    void labelsAreBalancedTenClasses() {
        IdxFile labels = IdxFile.read(uri("train-labels-idx1-ubyte.gz"), conf);
        assertArrayEquals(new int[] {60000}, labels.dims());
        assertEquals(9, labels.data()[0], "the first training image is an ankle boot");
        int[] perClass = new int[10];
        for (byte b : labels.data()) {
            perClass[b]++;
        }
        int[] expected = new int[10];
        Arrays.fill(expected, 6000);
        assertArrayEquals(expected, perClass);
    }

    @Test
    void uncompressedCopyReadsTheSame() throws Exception {
        byte[] raw = TestData.gunzip(TestData.fashionMnistDir().resolve("t10k-labels-idx1-ubyte.gz"));
        Path plain = tmp.resolve("t10k-labels-idx1-ubyte");
        Files.write(plain, raw);
        IdxFile gz = IdxFile.read(uri("t10k-labels-idx1-ubyte.gz"), conf);
        IdxFile unzipped = IdxFile.read(plain.toUri().toString(), conf);
        assertArrayEquals(gz.dims(), unzipped.dims());
        assertArrayEquals(gz.data(), unzipped.data());
    }

    @Test
    void headerClaimingMoreThanTheFileHoldsNamesPathAndBothSizes() throws Exception {
        Path bad = tmp.resolve("short-idx1-ubyte");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(bad))) {
            out.writeInt(0x0801);
            out.writeInt(100);
            out.write(new byte[60]);
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxFile.read(bad.toUri().toString(), conf));
        assertTrue(e.getMessage().contains("short-idx1-ubyte") && e.getMessage().contains("100")
                && e.getMessage().contains("60"), e.getMessage());
    }

    @Test
    void wrongMagicIsRejected() throws Exception {
        Path bad = tmp.resolve("floats-idx1");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(bad))) {
            out.writeInt(0x0D01); // float data, not unsigned bytes
            out.writeInt(1);
            out.writeFloat(1f);
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxFile.read(bad.toUri().toString(), conf));
        assertTrue(e.getMessage().contains("magic 0x00000D01"), e.getMessage());
    }

    @Test
    void truncatedGzipIsRejected() throws Exception {
        byte[] gz = Files.readAllBytes(TestData.fashionMnistDir().resolve("t10k-labels-idx1-ubyte.gz"));
        Path cut = tmp.resolve("cut-labels.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxFile.read(cut.toUri().toString(), conf));
        assertTrue(e.getMessage().contains("cut-labels.gz"), e.getMessage());
    }

    @Test
    void missingFileNamesThePath() {
        String missing = tmp.resolve("nope-idx3-ubyte").toUri().toString();
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> IdxFile.read(missing, conf));
        assertTrue(e.getMessage().contains("nope-idx3-ubyte"), e.getMessage());
    }
}
