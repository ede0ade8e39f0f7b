package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.config.ConfigLoader;
import io.sparkcnn.driver.config.DataConfig;
import io.sparkcnn.workers.SampleRef;
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

/** data.test-path: an image folder's own test set (train/ and test/, as CIFAR-10 comes), the twin of idx-test-*. */
class TestFolderTest {
    @TempDir
    Path root;

    private void images(String folder, String className, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Path file = root.resolve(folder).resolve(className).resolve(i + ".png");
            Files.createDirectories(file.getParent());
            ImageFolderIngestTest.write(ImageFolderIngestTest.gray(8, 8, 10 * i), "png", file);
        }
    }

    private DatasetPreparer.Plan plan(String... overrides) {
        DataConfig cfg = ConfigLoader.fromString("data { format = image-folder, height = 8, width = 8,"
                + " validation-fraction = 0.2, test-fraction = 0.3 }", overrides).data();
        return DatasetPreparer.plan(cfg, new Configuration());
    }

    @Test
    void theTestSplitIsTheTestFolderAndValidationComesFromTheTrainingFolderOnly() throws IOException {
        images("train", "cat", 10);
        images("train", "dog", 10);
        images("train", "emu", 10);
        images("test", "dog", 3); // no cat: the test folder's classes 0, 1 are the training folder's 1, 2
        images("test", "emu", 2);
        DatasetPreparer.Plan plan = plan("data.path=" + root.toUri() + "train", "data.test-path=" + root.toUri() + "test");
        assertEquals(List.of("cat", "dog", "emu"), plan.classNames());
        assertEquals(5, plan.test().size());
        for (SampleRef r : plan.test()) {
            assertTrue(r.id().contains("/test/"), r.id());
            assertEquals(r.id().contains("/dog/") ? 1 : 2, r.label(), r.id() + " labelled by the training folder's classes");
        }
        // test-fraction is ignored: 30 training-folder images become 24 train + 6 validation
        assertEquals(24, plan.train().size());
        assertEquals(6, plan.validation().size());
        assertTrue(plan.train().stream().allMatch(r -> r.id().contains("/train/")));
        assertTrue(plan.validation().stream().allMatch(r -> r.id().contains("/train/")));
        assertEquals(List.of(root.toUri() + "train", root.toUri() + "test"), plan.sources());

        DatasetPreparer.Plan fractions = plan("data.path=" + root.toUri() + "train");
        assertEquals(9, fractions.test().size(), "without data.test-path, test-fraction of data.path is the test split");
        assertNotEquals(fractions.fingerprint(), plan.fingerprint(), "the test folder is part of the dataset");
    }

    @Test
    void aTestClassTheModelNeverSawIsRefusedNamingIt() throws IOException {
        images("train", "cat", 5);
        images("train", "dog", 5);
        images("test", "horse", 2);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> plan("data.path=" + root.toUri() + "train", "data.test-path=" + root.toUri() + "test"));
        assertTrue(e.getMessage().contains("data.test-path") && e.getMessage().contains("horse"), e.getMessage());
    }

    @Test
    void idxDataNamesItsTestSetWithItsOwnKeys() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.fromString(
                "data { format = idx, idx-train-images = \"/a\", idx-train-labels = \"/b\", test-path = \"/t\" }"));
        assertTrue(e.getMessage().startsWith("data.test-path is for data.format = image-folder"), e.getMessage());
    }
}
