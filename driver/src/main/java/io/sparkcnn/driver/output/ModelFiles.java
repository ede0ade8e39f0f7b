package io.sparkcnn.driver.output;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.util.HexFormat;

/** model.zip on any Hadoop FileSystem: DL4J's format, with updater state and the fitted normalizer. */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** Writes model.zip to {@code path} (create, no overwrite) and returns its SHA-256 in hex. */
    public static String write(FileSystem fs, Path path, MultiLayerNetwork net, DataNormalization normalizer)
            throws IOException {
        // writeModel(.., normalizer) closes its zip stream early and fails against the commons-io that Spark 3.5
        // ships; writing the model first and adding the normalizer entry afterwards avoids that path
        java.nio.file.Path local = Files.createTempFile("sparkcnn-model", ".zip");
        try {
            ModelSerializer.writeModel(net, local.toFile(), true);
            if (normalizer != null) {
                ModelSerializer.addNormalizerToModel(local.toFile(), normalizer);
            }
            DigestOutputStream out = new DigestOutputStream(fs.create(path, false), Sha256.digest());
            try (out) {
                Files.copy(local, out);
            }
            return HexFormat.of().formatHex(out.getMessageDigest().digest());
        } finally {
            Files.deleteIfExists(local);
        }
    }

    /** Reads a model.zip with its updater state; {@code expectedSha256} (hex, may be null) is checked first. */
    public static MultiLayerNetwork read(FileSystem fs, Path path, String expectedSha256) throws IOException {
        java.nio.file.Path local = Files.createTempFile("sparkcnn-model", ".zip");
        try {
            try (InputStream in = fs.open(path)) {
                Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            }
            if (expectedSha256 != null) {
                String actual = Sha256.hex(local);
                if (!actual.equals(expectedSha256)) {
                    throw new IOException(path.getName() + ": SHA-256 " + actual + " (" + Files.size(local)
                            + " bytes) does not match the recorded " + expectedSha256);
                }
            }
            return ModelSerializer.restoreMultiLayerNetwork(local.toFile(), true);
        } finally {
            Files.deleteIfExists(local);
        }
    }

}
