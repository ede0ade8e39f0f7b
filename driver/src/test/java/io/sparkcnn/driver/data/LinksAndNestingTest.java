package io.sparkcnn.driver.data;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.DataConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Symbolic links and nested folders in an image-folder dataset. */
class LinksAndNestingTest {
    @TempDir
    static Path root;

    private static void png(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
    }

    @BeforeAll
    static void generate() throws Exception {
        for (String cls : List.of("a", "b")) {
            for (int i = 0; i < 6; i++) {
                png(root.resolve("links/" + cls + "/" + i + ".png"));
            }
        }
        Files.createSymbolicLink(root.resolve("links/a/gone.png"), root.resolve("deleted-long-ago.png"));
        for (int i = 0; i < 4; i++) {
            png(root.resolve("nested/a/" + i + ".png"));
            png(root.resolve("nested/b/2026/week-48/" + i + ".png"));
        }
    }

    private static DataConfig config(String folder) {
        return ConfigLoader.fromString("data { format = image-folder, height = 8, width = 8 }",
                "data.path=" + root.resolve(folder).toUri(), "data.validation-fraction=0.2", "data.test-fraction=0.2").data();
    }

    @Test
    void aDanglingSymbolicLinkIsCountedAsSkippedWithItsReason() {
        DataConfig cfg = config("links");
        DatasetPreparer.Plan plan = DatasetPreparer.plan(cfg, new org.apache.hadoop.conf.Configuration());
        assertEquals(13, plan.train().size() + plan.validation().size() + plan.test().size(), "the link is listed");
        PreparedData data = DatasetPreparer.prepare(LocalSpark.get(), cfg, plan, root.resolve("ckpt").toUri().toString());
        assertEquals(1, data.skipped().size(), data.skipped().toString());
        SkippedFile s = data.skipped().get(0);
        assertTrue(s.path().endsWith("/links/a/gone.png"), s.path());
        assertEquals("dangling symbolic link: its target " + root.resolve("deleted-long-ago.png") + " does not exist",
                s.reason());
    }

    @Test
    void imagesOnlyInSubSubFoldersAreNamedWithTheRule() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> DatasetPreparer.plan(config("nested"), new org.apache.hadoop.conf.Configuration()));
        String m = e.getMessage();
        assertTrue(m.startsWith("data.path: class folder " + root.resolve("nested/b").toUri().toString().replace("file:///", "file:/")
                .replaceAll("/$", "") + " contains no images"), m);
        assertTrue(m.contains("; a class folder must hold its images directly, not in subfolders, but they are in "
                + root.resolve("nested/b/2026/week-48").toUri().toString().replace("file:///", "file:/").replaceAll("/$", "")), m);
    }
}
