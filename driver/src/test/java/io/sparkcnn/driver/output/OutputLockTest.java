package io.sparkcnn.driver.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two jobs on one output (issue 14, item 7): the second is refused while the first writes (FolderLockedException,
 * exit 75, naming the first's host, pid and start), and neither discards nor resumes the other's unfinished folder;
 * a lock whose holder died (its process on this host is gone, or it was not renewed) is taken over.
 */
class OutputLockTest {
    @TempDir
    Path tmp;
    final Configuration conf = new Configuration();

    @Test
    void aSecondJobOnTheSameOutputIsRefusedNamingTheFirst() throws Exception {
        String target = tmp.resolve("run").toUri().toString();
        RunFolder first = RunFolder.begin(target, false, conf);
        first.writeString("checkpoints.txt", "epoch 1");
        Path lock = tmp.resolve(".run.lock");
        assertTrue(Files.exists(lock));

        FolderLockedException train = assertThrows(FolderLockedException.class,
                () -> RunFolder.begin(target, true, conf));
        String host = InetAddress.getLocalHost().getHostName();
        assertTrue(train.getMessage().contains("is being written by train-"), train.getMessage());
        assertTrue(train.getMessage().contains("host " + host) && train.getMessage().contains("pid "
                + ProcessHandle.current().pid()) && train.getMessage().contains("started 20"), train.getMessage());
        FolderLockedException predict = assertThrows(FolderLockedException.class,
                () -> RunFolder.beginFresh("predict", target, true, conf));
        assertTrue(predict.getMessage().contains("two jobs may not write one output at once"), predict.getMessage());
        assertTrue(Files.exists(tmp.resolve(".run._unfinished/checkpoints.txt")), "the first job's folder is untouched");

        first.release(); // failed with a checkpoint: the folder stays for resuming, the lock goes
        assertFalse(Files.exists(lock));
        RunFolder again = RunFolder.begin(target, false, conf);
        assertTrue(again.existed());
        again.commit();
        assertFalse(Files.exists(lock), "commit releases the lock");
    }

    @Test
    void aDeadHoldersLockIsTakenOver() throws Exception {
        Path target = tmp.resolve("run");
        Path lock = tmp.resolve(".run.lock");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String host = InetAddress.getLocalHost().getHostName();
        Files.writeString(lock, "{\"owner\":\"train-dead\",\"host\":\"" + host + "\",\"user\":\"u\",\"pid\":" + gone.pid()
                + ",\"started\":\"" + Instant.now() + "\"}");
        RunFolder folder = RunFolder.beginFresh("predict", target.toUri().toString(), false, conf);
        folder.abort();
        assertFalse(Files.exists(lock));

        // another host's lock is trusted until it is not renewed for LOCK_STALE_AFTER
        Files.writeString(lock, "{\"owner\":\"train-far\",\"host\":\"elsewhere\",\"user\":\"u\",\"pid\":1,\"started\":\"x\"}");
        assertThrows(FolderLockedException.class, () -> RunFolder.begin(target.toUri().toString(), false, conf));
        FileSystem fs = FileSystem.getLocal(conf);
        fs.setTimes(new org.apache.hadoop.fs.Path(lock.toUri()),
                System.currentTimeMillis() - RunFolder.LOCK_STALE_AFTER.toMillis() - 5_000, -1);
        RunFolder taken = RunFolder.begin(target.toUri().toString(), false, conf);
        assertEquals("train", RunFolder.marker(fs, taken.temp()).path("job").asText());
        taken.abort();
        assertEquals(FolderLock.outputLock(new org.apache.hadoop.fs.Path(target.toUri())).getName(), ".run.lock");
    }

    /**
     * YARN's second attempt of a driver takes over the locks of the first at once, wherever the first ran: YARN
     * starts attempt 2 only after attempt 1's container has ended. Any other holder keeps its lock.
     */
    @Test
    void anEarlierAttemptOfTheSameYarnApplicationIsDead() {
        String attempt1 = "container_1796240885595_0002_01_000001";
        String attempt2 = "container_1796240885595_0002_02_000001";
        assertTrue(FolderLock.earlierAttemptOfOurApplication(attempt1, attempt2));
        assertTrue(FolderLock.earlierAttemptOfOurApplication("container_e17_1796240885595_0002_01_000001",
                "container_e17_1796240885595_0002_02_000001"), "ids with a ResourceManager epoch too");
        assertFalse(FolderLock.earlierAttemptOfOurApplication(attempt2, attempt1), "a later attempt is not dead");
        assertFalse(FolderLock.earlierAttemptOfOurApplication(attempt2, attempt2), "our own attempt");
        assertFalse(FolderLock.earlierAttemptOfOurApplication("container_1796240885595_0003_01_000001", attempt2),
                "another application (a second job on the same output) keeps its lock");
        assertFalse(FolderLock.earlierAttemptOfOurApplication(attempt1, null), "a driver outside YARN");
        assertFalse(FolderLock.earlierAttemptOfOurApplication(null, attempt2), "a holder outside YARN");
        assertFalse(FolderLock.earlierAttemptOfOurApplication("not a container", attempt2));
    }
}
