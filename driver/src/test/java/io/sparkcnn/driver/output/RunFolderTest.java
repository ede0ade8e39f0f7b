package io.sparkcnn.driver.output;

import io.sparkcnn.driver.common.InvalidInputException;
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
        assertEquals(List.of(".run._unfinished", ".run.lock"), names(), "and the lock of the job writing it");
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
    void anUnfinishedFolderIsReopenedForResumingUnlessOverwrite() throws Exception {
        String target = tmp.resolve("run").toUri().toString();
        RunFolder crashed = RunFolder.begin(target, false, conf);
        assertFalse(crashed.existed());
        crashed.writeString("checkpoints.txt", "epoch 3");
        crashed.release(); // its job ended (a dead process's lock is taken over: OutputLockTest)

        RunFolder again = RunFolder.begin(target, false, conf);
        assertTrue(again.existed());
        assertEquals(crashed.temp(), again.temp());
        assertTrue(Files.exists(tmp.resolve(".run._unfinished/checkpoints.txt")));
        again.release();

        RunFolder fresh = RunFolder.begin(target, true, conf);
        assertFalse(fresh.existed());
        assertFalse(Files.exists(tmp.resolve(".run._unfinished/checkpoints.txt")), "overwrite discards it");
    }

    @Test
    void theHiddenFolderNameLeadsBackToItsRun() {
        assertEquals("hdfs://nn:8020/runs/a", RunFolder.targetOf("hdfs://nn:8020/runs/.a._unfinished"));
        assertEquals("hdfs://nn:8020/runs/a", RunFolder.targetOf("hdfs://nn:8020/runs/a"));
        assertEquals("/runs/._unfinished", RunFolder.targetOf("/runs/._unfinished"));
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
