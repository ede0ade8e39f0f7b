package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.DataConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** data.path as a glob of dated partition folders (images/dt=*), merged by class name. */
class PartitionGlobTest {
    @TempDir
    Path root;

    private void image(String relative) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        ImageFolderIngestTest.write(ImageFolderIngestTest.gray(8, 8, 40), "png", file);
    }

    private DatasetPreparer.Plan plan(String path) {
        DataConfig cfg = ConfigLoader.fromString("data { format = image-folder, height = 8, width = 8,"
                + " validation-fraction = 0.25, test-fraction = 0.25 }", "data.path=" + path).data();
        return DatasetPreparer.plan(cfg, new Configuration());
    }

    @Test
    void partitionsAreMergedByClassAndRecordedAsSources() throws IOException {
        for (int i = 0; i < 4; i++) {
            image("images/dt=2026-11-01/boot/" + i + ".png");
            image("images/dt=2026-11-01/coat/" + i + ".png");
            image("images/dt=2026-11-02/coat/" + i + ".png"); // the same file names on another day
            image("images/dt=2026-11-02/shirt/" + i + ".png"); // a class seen on the second day only
        }
        image("images/_incoming/coat/x.png"); // hidden partitions are not data
        DatasetPreparer.Plan plan = plan(root.toUri() + "images/dt=*");
        assertEquals(List.of("boot", "coat", "shirt"), plan.classNames());
        assertEquals(16, plan.train().size() + plan.validation().size() + plan.test().size());
        assertEquals(2, plan.sources().size());
        assertTrue(plan.sources().get(0).endsWith("dt=2026-11-01") && plan.sources().get(1).endsWith("dt=2026-11-02"),
                plan.sources().toString());

        String before = plan.fingerprint();
        image("images/dt=2026-11-03/boot/0.png"); // a new day arrives: another dataset
        DatasetPreparer.Plan grown = plan(root.toUri() + "images/dt=*");
        assertEquals(3, grown.sources().size());
        assertNotEquals(before, grown.fingerprint());
        assertEquals(before, plan(root.toUri() + "images/dt=2026-11-0[12]").fingerprint(), "same files, same fingerprint");
    }

    @Test
    void aGlobMatchingNothingNamesIt() {
        String glob = root.toUri() + "images/dt=1999-*";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> plan(glob));
        assertTrue(e.getMessage().contains("data.path") && e.getMessage().contains("matches no folder")
                && e.getMessage().contains("dt=1999-*"), e.getMessage());
    }
}
