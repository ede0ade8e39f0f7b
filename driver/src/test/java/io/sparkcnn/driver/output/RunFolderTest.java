package io.sparkcnn.driver.output;

import io.sparkcnn.driver.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Atomic run folders on the local Hadoop FileSystem. */
class RunFolderTest {
    @TempDir
    Path tmp;
    final Configuration conf = new Configuration();

    List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    @Test
    void filesAppearOnlyWhenCommitted() throws Exception {
        Path target = tmp.resolve("run");
        RunFolder folder = RunFolder.begin(target.toUri().toString(), false, conf);
        folder.writeString("metrics.json", "{}");
        assertFalse(Files.exists(target), "nothing at the target before commit");
        assertTrue(names().get(0).startsWith(".run._tmp-"), names().toString());
        folder.commit();
        assertEquals("{}", Files.readString(target.resolve("metrics.json")));
        assertEquals(List.of("run"), names(), "temporary folder renamed away");
    }

    @Test
    void abortLeavesNothing() throws Exception {
        RunFolder folder = RunFolder.begin(tmp.resolve("run").toUri().toString(), false, conf);
        folder.writeString("model.zip", "half");
        folder.abort();
        assertEquals(List.of(), names());
    }

    @Test
    void existingTargetIsRefusedUnlessOverwrite() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(target.resolve("old.txt"), "old");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> RunFolder.checkTarget(target.toUri().toString(), false, conf));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("run"), e.getMessage());

        RunFolder folder = RunFolder.begin(target.toUri().toString(), true, conf);
        folder.writeString("new.txt", "new");
        folder.commit();
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(List.of("new.txt"), s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList());
        }
        assertEquals(List.of("run"), names(), "the old run moved aside and deleted");
    }
}
