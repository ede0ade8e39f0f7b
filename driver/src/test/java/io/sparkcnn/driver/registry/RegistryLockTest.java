package io.sparkcnn.driver.registry;

import io.sparkcnn.driver.output.FolderLock;
import io.sparkcnn.driver.output.FolderLockedException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry lock on the local FileSystem: exclusive, renewed, released, taken over when stale. */
class RegistryLockTest {
    private static final Duration STALE = Duration.ofSeconds(2);

    @TempDir
    java.nio.file.Path tmp;
    Registry registry;
    FileSystem fs;
    Path lock;

    @BeforeEach
    void open() {
        registry = Registry.open(tmp.resolve("reg").toUri().toString(), new Configuration(), true);
        fs = registry.fileSystem();
        lock = registry.lockPath();
    }

    @Test
    void secondHolderIsRefusedNamingTheFirstAndTheLockIsReleasedOnClose() throws IOException {
        try (FolderLock first = registry.lock("run-a", STALE)) {
            assertTrue(fs.exists(lock));
            FolderLockedException e = assertThrows(FolderLockedException.class,
                    () -> registry.lock("run-b", STALE));
            assertTrue(e.getMessage().contains("locked by run-a"), e.getMessage());
            assertTrue(e.getMessage().contains(registry.root().toString()), e.getMessage());
            first.verifyHeld();
            assertTrue(first.tookOverFrom().isEmpty());
        }
        assertFalse(fs.exists(lock), "released");
        try (FolderLock again = registry.lock("run-c", STALE)) {
            again.verifyHeld();
        }
    }

    @Test
    void aLiveHolderRenewsItsLockSoItNeverGoesStale() throws Exception {
        try (FolderLock held = registry.lock("run-a", STALE)) {
            fs.setTimes(lock, System.currentTimeMillis() - 60_000, -1); // as if not renewed for a minute
            long deadline = System.currentTimeMillis() + 5_000;
            while (System.currentTimeMillis() - fs.getFileStatus(lock).getModificationTime() > 10_000
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(System.currentTimeMillis() - fs.getFileStatus(lock).getModificationTime() < 10_000,
                    "renewed every quarter of lock-stale-after");
            assertThrows(FolderLockedException.class, () -> registry.lock("run-b", STALE));
        }
    }

    @Test
    void aStaleLockIsTakenOverAndItsFormerHolderCanNoLongerActOrRemoveIt() throws IOException {
        FolderLock dead = registry.lock("run-dead", Duration.ofHours(1)); // renews hourly at most
        fs.setTimes(lock, System.currentTimeMillis() - 10_000, -1); // not renewed for 10 s > 2 s
        try (FolderLock next = registry.lock("run-next", STALE)) {
            assertEquals("run-dead", next.tookOverFrom().orElseThrow().owner());
            IOException lost = assertThrows(IOException.class, dead::verifyHeld);
            assertTrue(lost.getMessage().contains("run-next"), lost.getMessage());
            dead.close(); // must not delete the new holder's lock
            assertTrue(fs.exists(lock));
            next.verifyHeld();
        }
        assertFalse(fs.exists(lock));
        assertEquals(0, fs.listStatus(registry.root(), p -> p.getName().contains("stale")).length, "nothing left aside");
    }

    @Test
    void anEmptyLockFileLeftByADeadWriterGoesStaleByItsAge() throws IOException {
        fs.create(lock, false).close();
        assertThrows(FolderLockedException.class, () -> registry.lock("run-a", STALE));
        fs.setTimes(lock, System.currentTimeMillis() - 10_000, -1);
        try (FolderLock taken = registry.lock("run-a", STALE)) {
            assertEquals("(empty lock file)", taken.tookOverFrom().orElseThrow().owner());
        }
    }
}
