package io.sparkcnn.driver.output;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.inference.LoadedModel;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A hostile model.zip is refused before DL4J reads it: Java-serialized objects other than a data-set
 * preprocessor, a normalizer naming its own class, zip bombs, too many entries. Our own models still load.
 */
class ModelZipCheckTest {
    @TempDir
    Path tmp;

    private final FileSystem fs = localFs();

    private static FileSystem localFs() {
        try {
            return FileSystem.getLocal(new Configuration());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static org.apache.hadoop.fs.Path hadoop(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }

    private static MultiLayerNetwork tinyNetwork() {
        return NetworkFactory.network(new ModelSpec(List.of(new LayerSpec.Dense(8, LayerSpec.Activation.RELU),
                new LayerSpec.Output()), Optimizer.ADAM, 0.01, 0.9, ModelSpec.WeightInitKind.XAVIER, 0, 3),
                new ImageShape(1, 4, 4), 3);
    }

    /** model.zip as the train job writes it. */
    private Path writeModel(MultiLayerNetwork net) throws IOException {
        Path zip = tmp.resolve("model.zip");
        ModelFiles.write(fs, hadoop(zip), net, FeatureScaling.minMax(new double[] {0}, new double[] {255}).toDl4jNormalizer());
        return zip;
    }

    /** A copy of {@code model} with one more entry, where DL4J's loader finds it. */
    private Path withEntry(Path model, String name, byte[] content) throws IOException {
        Path out = tmp.resolve("hostile-" + name.replace('/', '_') + ".zip");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(model));
             ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                zip.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(zip);
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out;
    }

    private static byte[] javaSerialized(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static String refusal(Path zip, ModelZipCheck.Limits limits) {
        return assertThrows(InvalidInputException.class,
                () -> ModelFiles.read(localFs(), hadoop(zip), null, false, limits)).getMessage();
    }

    @Test
    void aModelWeWriteStillLoadsHereAndInPlainDl4j() throws Exception {
        MultiLayerNetwork net = tinyNetwork();
        Path zip = writeModel(net);
        ModelFiles.Read read = ModelFiles.read(fs, hadoop(zip), null, false);
        assertEquals(net.params(), read.network().params());
        assertInstanceOf(NormalizerMinMaxScaler.class, read.normalizer());
        // the format is unchanged: DL4J alone reads it
        assertNotNull(ModelSerializer.restoreMultiLayerNetworkAndNormalizer(zip.toFile(), false).getSecond());
        // a real DL4J preprocessor passes the deserialization filter
        Path withPreprocessor = withEntry(zip, ModelZipCheck.PREPROCESSOR_BIN, javaSerialized(new ImagePreProcessingScaler(0, 1)));
        assertEquals(net.params(), ModelFiles.read(fs, hadoop(withPreprocessor), null, false).network().params());
    }

    @Test
    void aSerializedDateWhereDl4jDeserializesIsRefused() throws Exception {
        Path zip = withEntry(writeModel(tinyNetwork()), ModelZipCheck.PREPROCESSOR_BIN, javaSerialized(new Date(0)));
        String m = assertThrows(InvalidInputException.class,
                () -> LoadedModel.load(zip.toUri().toString(), new Configuration())).getMessage();
        assertEquals(hadoop(zip) + " refused: entry 'preprocessor.bin' holds a java.util.Date, which may not be"
                + " deserialized (only DL4J data-set preprocessors and their primitive fields may)", m);
    }

    @Test
    void nestedSetsThatWouldPinACoreAreRefusedFast() throws Exception {
        // deserializing this takes about 2^100 hashCode calls: each set holds two sets, 100 levels deep
        Set<Object> root = new HashSet<>();
        Set<Object> left = root;
        Set<Object> right = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Set<Object> a = new HashSet<>();
            Set<Object> b = new HashSet<>();
            a.add("x");
            left.add(a);
            left.add(b);
            right.add(a);
            right.add(b);
            left = a;
            right = b;
        }
        Path zip = withEntry(writeModel(tinyNetwork()), ModelZipCheck.PREPROCESSOR_BIN, javaSerialized(root));
        String m = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> assertThrows(InvalidInputException.class,
                        () -> ModelZipCheck.check(zip, zip.toString(), ModelZipCheck.Limits.DEFAULT)).getMessage());
        assertEquals(zip + " refused: entry 'preprocessor.bin' holds a java.util.HashSet, which may not be"
                + " deserialized (only DL4J data-set preprocessors and their primitive fields may)", m);
    }

    @Test
    void aNormalizerNamingItsOwnClassIsRefused() throws Exception {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(header);
        out.writeUTF("NORMALIZER");
        out.writeInt(1);
        out.writeUTF("CUSTOM");
        out.writeUTF("java.lang.Object"); // DL4J would load and instantiate whatever class is named here
        Path model = tmp.resolve("custom.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(model))) {
            zip.putNextEntry(new ZipEntry(ModelZipCheck.NORMALIZER_BIN));
            zip.write(header.toByteArray());
            zip.closeEntry();
        }
        assertEquals(hadoop(model) + " refused: entry 'normalizer.bin' declares a CUSTOM normalizer, whose class DL4J"
                + " would load and instantiate by name; only DL4J's built-in normalizers are accepted",
                refusal(model, ModelZipCheck.Limits.DEFAULT));
    }

    @Test
    void anEntryInflatingBeyondTheLimitIsRefusedWhileReading() throws Exception {
        // 64 MiB of zeros compress to about 64 KiB; the entry's size is only known at its end (data descriptor)
        Path bomb = tmp.resolve("bomb.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("coefficients.bin"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertEquals(hadoop(bomb) + " refused: entry 'coefficients.bin' inflates to more than 16777216 bytes; a model.zip"
                + " may hold at most 16777216 bytes uncompressed", refusal(bomb, new ModelZipCheck.Limits(100, 16 << 20)));
    }

    @Test
    void anEntryDeclaringThreeGibibytesIsRefusedBeforeReading() throws Exception {
        // a local file header written by hand, as a zip tool writes a 3 GiB entry: sizes up front
        byte[] name = "coefficients.bin".getBytes(StandardCharsets.US_ASCII);
        byte[] data = {3, 0}; // an empty deflate stream; never read
        ByteBuffer header = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 8)
                .putShort((short) 0).putShort((short) 0x21).putInt(0).putInt(data.length).putInt((int) (3L << 30))
                .putShort((short) name.length).putShort((short) 0);
        Path bomb = tmp.resolve("declared.zip");
        try (OutputStream out = Files.newOutputStream(bomb)) {
            out.write(header.array());
            out.write(name);
            out.write(data);
        }
        assertEquals(hadoop(bomb) + " refused: entry 'coefficients.bin' declares 3221225472 bytes uncompressed; a model.zip"
                + " may hold at most 2147483648 bytes", refusal(bomb, ModelZipCheck.Limits.DEFAULT));
    }

    @Test
    void tooManyEntriesAreRefused() throws Exception {
        Path many = tmp.resolve("many.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(many))) {
            for (int i = 0; i < 5; i++) {
                zip.putNextEntry(new ZipEntry("objects/" + i));
                zip.closeEntry();
            }
        }
        assertEquals(hadoop(many) + " refused: it holds more than 4 entries (a DL4J model has a handful)",
                refusal(many, new ModelZipCheck.Limits(4, 1 << 20)));
    }
}
