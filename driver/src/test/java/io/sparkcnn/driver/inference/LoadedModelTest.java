package io.sparkcnn.driver.inference;

import io.sparkcnn.driver.common.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model that is missing or unreadable is a bad input naming the URI (exit code 2), not a crash. */
class LoadedModelTest {
    @TempDir
    Path dir;

    private String load(Path p) {
        return assertThrows(InvalidInputException.class,
                () -> LoadedModel.load(p.toUri().toString(), new Configuration())).getMessage();
    }

    @Test
    void missingModelOrFolderWithoutOne() throws Exception {
        String m = load(dir.resolve("nowhere"));
        assertTrue(m.contains("nowhere") && m.contains("does not exist"), m);
        Files.createDirectories(dir.resolve("empty-run"));
        m = load(dir.resolve("empty-run"));
        assertTrue(m.contains("empty-run") && m.contains("without model.zip"), m);
    }

    @Test
    void aFileThatIsNotAModelZip() throws Exception {
        Path zip = Files.write(dir.resolve("model.zip"), "not a zip at all".getBytes());
        String m = load(zip);
        assertTrue(m.contains("model.zip") && m.contains("not a readable DL4J model.zip"), m);
    }
}
