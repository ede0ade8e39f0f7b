package io.sparkcnn.driver.output;

import io.sparkcnn.driver.common.Hashing;
import io.sparkcnn.workers.LayerHelpers;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.Normalizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;

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
            DigestOutputStream out = new DigestOutputStream(fs.create(path, false), Hashing.digest());
            try (out) {
                Files.copy(local, out);
            }
            return Hashing.hex(out.getMessageDigest());
        } finally {
            Files.deleteIfExists(local);
        }
    }

    /** A model.zip read back: the network, its normalizer (null when it has none), the file's SHA-256 in hex. */
    public record Read(MultiLayerNetwork network, DataNormalization normalizer, String sha256) {
    }

    /**
     * Reads a model.zip (with its updater state when {@code withUpdater}) and hashes it on the way;
     * {@code expectedSha256} (hex, may be null) is checked before the model is parsed.
     */
    public static Read read(FileSystem fs, Path path, String expectedSha256, boolean withUpdater) throws IOException {
        return read(fs, path, expectedSha256, withUpdater, ModelZipCheck.Limits.DEFAULT);
    }

    /**
     * As above, within {@code limits}: the file is vetted by {@link ModelZipCheck} before DL4J reads any of it
     * (a zip bomb, a Java-serialized object other than a preprocessor, a CUSTOM normalizer class are refused).
     */
    public static Read read(FileSystem fs, Path path, String expectedSha256, boolean withUpdater,
                            ModelZipCheck.Limits limits) throws IOException {
        java.nio.file.Path local = Files.createTempFile("sparkcnn-model", ".zip");
        try {
            DigestInputStream in = new DigestInputStream(fs.open(path), Hashing.digest());
            try (in) {
                Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            }
            String actual = Hashing.hex(in.getMessageDigest());
            if (expectedSha256 != null && !actual.equals(expectedSha256)) {
                throw new IOException(path.getName() + ": SHA-256 " + actual + " (" + Files.size(local)
                        + " bytes) does not match the recorded " + expectedSha256);
            }
            ModelZipCheck.check(local, path.toString(), limits);
            LayerHelpers.enable(); // the restored layers decide on their helpers when constructed
            Pair<MultiLayerNetwork, Normalizer> model =
                    ModelSerializer.restoreMultiLayerNetworkAndNormalizer(local.toFile(), withUpdater);
            return new Read(model.getFirst(),
                    model.getSecond() instanceof DataNormalization normalizer ? normalizer : null, actual);
        } finally {
            Files.deleteIfExists(local);
        }
    }
}
