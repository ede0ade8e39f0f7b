package io.sparkcnn.driver;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Real test data: Fashion-MNIST from the Debian package dataset-fashion-mnist, and IDX subsets of it. */
public final class TestData {
    private TestData() {
    }

    /** The Fashion-MNIST folder ($FASHION_MNIST_DIR or the Debian package's); fails clearly when absent. */
    public static Path fashionMnistDir() {
        String env = System.getenv("FASHION_MNIST_DIR");
        Path dir = Path.of(env != null && !env.isBlank() ? env : "/usr/share/datasets/fashion-mnist");
        if (!Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))) {
            throw new IllegalStateException("Fashion-MNIST not found in " + dir
                    + ": install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)"
                    + " or set FASHION_MNIST_DIR");
        }
        return dir;
    }

    public static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    /**
     * Writes the first {@code count} images and labels of a Fashion-MNIST IDX pair as a new gzipped pair
     * named {@code prefix-images-idx3-ubyte.gz} and {@code prefix-labels-idx1-ubyte.gz} in {@code dir}.
     */
    public static Path[] writeSubset(String sourcePrefix, int count, Path dir, String prefix) throws IOException {
        Path src = fashionMnistDir();
        byte[] images = gunzip(src.resolve(sourcePrefix + "-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(src.resolve(sourcePrefix + "-labels-idx1-ubyte.gz"));
        Path imagesOut = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labelsOut = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        write(imagesOut, new int[] {count, 28, 28}, images, 16, count * 784);
        write(labelsOut, new int[] {count}, labels, 8, count);
        return new Path[] {imagesOut, labelsOut};
    }

    public static void write(Path file, int[] dims, byte[] source, int offset, int length) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(source, offset, length);
        out.flush();
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(bytes.toByteArray());
        }
    }
}
