package io.sparkcnn.driver.train;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.TrainRunner;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.TrainJobConfig;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A shape, batch and network that cannot fit are refused before DL4J allocates anything, naming the keys. */
class MemoryEstimateTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeImages() throws Exception {
        for (String cls : new String[] {"a", "b"}) {
            Path folder = Files.createDirectories(dir.resolve("images/" + cls));
            for (int i = 0; i < 10; i++) {
                ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", folder.resolve(i + ".png").toFile());
            }
        }
    }

    private static TrainJobConfig config(String... sets) {
        return ConfigLoader.fromString("data { format = image-folder }", Stream.concat(Stream.of(
                "data.path=" + dir.resolve("images").toUri(), "output.path=" + dir.resolve("out").toUri()),
                Stream.of(sets)).toArray(String[]::new));
    }

    private static SparkConf local() {
        return new SparkConf(false).setMaster("local[2]");
    }

    @Test
    void theDemoLeNetFitsAndIsEstimatedAsDocsClusterMdSays() {
        TrainJobConfig c = config();
        MemoryEstimate.check(c, 10, local());
        MemoryEstimate.Need n = MemoryEstimate.estimate(c, 10).orElseThrow();
        assertEquals(431_080, n.parameters());
        assertEquals(2, n.updaterCopies(), "adam");
        assertEquals(24 * 24 * 20 + 12 * 12 * 20 + 8 * 8 * 50 + 4 * 4 * 50 + 500 + 10, n.activationFloatsPerImage());
        assertTrue(n.workerBytes() > 10L << 20 && n.workerBytes() < 30L << 20, MemoryEstimate.bytes(n.workerBytes()));
    }

    @Test
    void tenGigapixelInputIsRefusedAgainstMaxImagePixels() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> MemoryEstimate.check(config("data.height=100000", "data.width=100000"), 10, local()));
        assertEquals("data.height x data.width = 100000x100000 is 10.0 gigapixels per image, above"
                + " data.max-image-pixels = 50000000: the network's input would not fit (an input image that large is not"
                + " even decoded); use a smaller data.height and data.width", e.getMessage());
    }

    @Test
    void aNetworkTooLargeForTheOffHeapLimitIsRefusedWithTheNumbers() {
        InvalidInputException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                InvalidInputException.class, () -> MemoryEstimate.check(config("data.height=100000", "data.width=100000",
                        "data.max-image-pixels=100000000000"), 10, local())));
        String m = e.getMessage();
        assertTrue(m.startsWith("the network does not fit in memory: data.height x data.width = 100000x100000,"
                + " training.batch-size-per-worker = 64 and model.layers (preset lenet) need about "), m);
        assertTrue(m.contains(" TiB per worker: ") && m.contains("parameters x 4 bytes x 4 (weights, gradients, adam's 2"
                + " state copies)") && m.contains("activations ") && m.contains("x 64 images x 4 bytes x 2"), m);
        assertTrue(m.contains("above org.bytedeco.javacpp.maxbytes of this JVM (local mode: the workers train in it) = "
                + MemoryEstimate.bytes(org.bytedeco.javacpp.Pointer.maxBytes())), m);
        assertFalse(m.contains("\n"), "one line");

        // 2000x2000 passes the pixel limit; LeNet's dense layer alone then needs ~6 billion parameters
        InvalidInputException mid = assertThrows(InvalidInputException.class,
                () -> MemoryEstimate.check(config("data.height=2000", "data.width=2000"), 10, local()));
        assertTrue(mid.getMessage().contains("6,175,256,080 parameters x 4 bytes x 4"), mid.getMessage());
    }

    @Test
    void executorsAreCheckedAgainstTheirOwnMaxBytes() {
        SparkConf yarn = new SparkConf(false).setMaster("yarn")
                .set("spark.executor.extraJavaOptions", "-Dfoo=1 -Dorg.bytedeco.javacpp.maxbytes=10M -Dbar=2");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> MemoryEstimate.check(config(), 10, yarn));
        assertTrue(e.getMessage().contains("per worker") && e.getMessage().endsWith("above org.bytedeco.javacpp.maxbytes"
                + " of spark.executor.extraJavaOptions = 10.0 MiB. Use a smaller data.height and data.width, a smaller"
                + " training.batch-size-per-worker or fewer/smaller layers (model.layers), or raise"
                + " -Dorg.bytedeco.javacpp.maxbytes"), e.getMessage());
        MemoryEstimate.check(config("training.batch-size-per-worker=8"), 10, yarn.set("spark.executor.extraJavaOptions",
                "-Dorg.bytedeco.javacpp.maxbytes=1G"));
        MemoryEstimate.check(config(), 10, new SparkConf(false).setMaster("yarn")); // no executor limit set
    }

    @Test
    void trainRefusesBeforeBuildingTheNetworkAndWritesNothing() {
        TrainJobConfig c = config("data.height=100000", "data.width=100000", "data.max-image-pixels=100000000000");
        InvalidInputException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(InvalidInputException.class, () -> TrainRunner.run(c, LocalSpark.get())));
        assertTrue(e.getMessage().startsWith("the network does not fit in memory: data.height x data.width ="), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out")) || Files.exists(dir.resolve(".out._unfinished")));
    }
}
