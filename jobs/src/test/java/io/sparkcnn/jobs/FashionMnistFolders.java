package io.sparkcnn.jobs;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Real Fashion-MNIST images written as PNG class folders onto any Hadoop FileSystem, for image-folder jobs. */
final class FashionMnistFolders {
    /** Folder-safe class names, in label order. */
    static final List<String> CLASSES = List.of("T-shirt-top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle-boot");

    private FashionMnistFolders() {
    }

    static java.nio.file.Path dir() {
        String env = System.getenv("FASHION_MNIST_DIR");
        java.nio.file.Path dir = java.nio.file.Path.of(env != null ? env : "/usr/share/datasets/fashion-mnist");
        if (!Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz"))) {
            throw new IllegalStateException("Fashion-MNIST not found in " + dir
                    + ": apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR");
        }
        return dir;
    }

    /**
     * Writes the first {@code perClass} images of each class from the {@code prefix} ("train" or "t10k") IDX
     * files into {@code root}/&lt;class&gt;/&lt;index&gt;.png.
     */
    static void write(FileSystem fs, String root, String prefix, int perClass) throws IOException {
        write(fs, root, prefix, 0, perClass);
    }

    /** As {@link #write(FileSystem, String, String, int)}, after skipping the first {@code skipPerClass} of each class. */
    static void write(FileSystem fs, String root, String prefix, int skipPerClass, int perClass) throws IOException {
        byte[] images = gunzip(dir().resolve(prefix + "-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(dir().resolve(prefix + "-labels-idx1-ubyte.gz"));
        int[] written = new int[CLASSES.size()];
        int[] skipped = new int[CLASSES.size()];
        int count = labels.length - 8;
        for (int i = 0; i < count; i++) {
            int label = labels[8 + i] & 0xFF;
            if (skipped[label] < skipPerClass) {
                skipped[label]++;
                continue;
            }
            if (written[label] >= perClass) {
                continue;
            }
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, 28, 28, java.util.Arrays.copyOfRange(images, 16 + i * 784, 16 + (i + 1) * 784));
            try (OutputStream out = fs.create(new Path(root + "/" + CLASSES.get(label) + "/" + i + ".png"))) {
                ImageIO.write(img, "png", out);
            }
            written[label]++;
        }
    }

    private static byte[] gunzip(java.nio.file.Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
