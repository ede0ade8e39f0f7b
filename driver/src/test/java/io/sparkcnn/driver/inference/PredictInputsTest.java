package io.sparkcnn.driver.inference;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.SampleRef;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** predict's input listing with symbolic links, and its errors naming its own options. */
class PredictInputsTest {
    @TempDir
    Path dir;

    private void png(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        ImageIO.write(new BufferedImage(6, 6, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
    }

    @Test
    void aSymbolicLinkLoopIsFollowedOnceAndEachFileIsPredictedOnce() throws Exception {
        Path in = dir.resolve("in");
        png(in.resolve("a.png"));
        png(in.resolve("sub/b.png"));
        Files.createSymbolicLink(in.resolve("sub/loop"), in); // sub/loop/sub/loop/... points back up
        Files.createSymbolicLink(in.resolve("same.png"), in.resolve("a.png"));
        Files.createDirectories(dir.resolve("elsewhere"));
        png(dir.resolve("elsewhere/c.png"));
        Files.createSymbolicLink(in.resolve("linked"), dir.resolve("elsewhere")); // a linked folder is still followed
        List<String> listed = PredictRunner.list(new PredictConfig("unused", List.of(in.toUri().toString()), List.of(),
                null, 0, dir.resolve("out").toUri().toString(), false), new Configuration())
                .stream().map(SampleRef::id).map(u -> u.substring(u.indexOf("/in/") + 4)).toList();
        assertEquals(3, listed.size(), "listed " + listed.size() + " images, the first: "
                + listed.subList(0, Math.min(8, listed.size())));
        assertEquals(List.of("a.png", "linked/c.png", "sub/b.png"), listed);
    }

    @Test
    void aModelWithoutManifestAsksForPredictsOwnOptions() throws Exception {
        var net = NetworkFactory.network(new ModelSpec(List.of(new LayerSpec.Dense(4, LayerSpec.Activation.RELU),
                new LayerSpec.Output()), Optimizer.SGD, 0.1, 0, ModelSpec.WeightInitKind.XAVIER, 0, 1),
                new ImageShape(1, 6, 6), 2);
        Path model = dir.resolve("bare/model.zip");
        Files.createDirectories(model.getParent());
        io.sparkcnn.driver.output.ModelFiles.write(org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(model.toUri()), net, io.sparkcnn.workers.FeatureScaling.minMax(
                        new double[] {0}, new double[] {255}).toDl4jNormalizer());
        png(dir.resolve("in/a.png"));
        PredictConfig config = new PredictConfig(model.toUri().toString(), List.of(dir.resolve("in").toUri().toString()),
                List.of(), null, 0, dir.resolve("out").toUri().toString(), false);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PredictRunner.run(config, LocalSpark.get()));
        assertTrue(e.getMessage().endsWith("has no manifest.json beside it, so its input shape is unknown: set --height,"
                + " --width and --channels (gray or rgb)"), e.getMessage());
        assertFalse(e.getMessage().contains("data.height"), e.getMessage());

        PredictConfig wrong = new PredictConfig(model.toUri().toString(), List.of(dir.resolve("in").toUri().toString()),
                List.of(), new ImageShape(3, 5, 5), 0, dir.resolve("out").toUri().toString(), false);
        e = assertThrows(InvalidInputException.class, () -> PredictRunner.run(wrong, LocalSpark.get()));
        assertTrue(e.getMessage().contains("does not accept 5x5x3 (height x width x channels) input"
                + " (--height/--width/--channels): "), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out")));
    }
}
