package io.sparkcnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoint and resume on a real HDFS (MiniDFSCluster): the train job runs as its own driver process
 * (a child JVM started like spark-submit starts one) and is SIGKILLed after an epoch; the same command run
 * again resumes from the newest checkpoint and ends exactly as an uninterrupted run with the same seed, its
 * training images augmented (flip and crop) as they would have been. A truncated newest checkpoint falls back
 * to the one before; a changed config is refused; an output folder the user may not write to fails cleanly.
 */
class CheckpointResumeIT {
    private static final int MAX_EPOCHS = 8;

    @TempDir
    static java.nio.file.Path tmp;
    static TestCluster cluster;
    static FileSystem fs;
    static String hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        cluster = TestCluster.start(tmp, "local[2]"); // HDFS permissions are on, as on a real cluster
        fs = cluster.fs;
        hdfs = cluster.hdfs;
        ShapeImages.write(fs, "/data/shapes", 40, 11);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The job's arguments; only the output differs between the runs compared here. */
    private static List<String> args(String output, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--set", "data.format=image-folder", "--set", "data.path=" + hdfs + "/data/shapes",
                "--set", "data.height=16", "--set", "data.width=16",
                "--set", "data.validation-fraction=0.25", "--set", "data.test-fraction=0.25",
                "--set", "training.batch-size-per-worker=4", "--set", "training.averaging-frequency=1",
                "--set", "training.max-epochs=" + MAX_EPOCHS, "--set", "training.early-stopping.patience=2",
                "--set", "training.early-stopping.min-delta=0.01", "--set", "model.learning-rate=0.005",
                // augmentation draws anew every epoch: a resumed run must draw what the uninterrupted one drew
                "--set", "data.augment.horizontal-flip=true", "--set", "data.augment.crop-padding=2",
                "--output", output));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void driverKilledAfterAnEpochResumesAndEndsAsAnUninterruptedRun() throws Exception {
        assertEquals(0, TrainJob.execute(args(hdfs + "/runs/reference").toArray(String[]::new)));
        JsonNode reference = json("/runs/reference/metrics.json");
        int referenceEpochs = reference.get("history").size();
        assertTrue(referenceEpochs >= 4, "the scenario needs a run of 4+ epochs: " + reference.get("history"));

        // the driver process dies (SIGKILL) once the checkpoint of epoch 2 is on HDFS
        Path checkpoints = new Path("/runs/.crashed._unfinished/checkpoints");
        Process driver = TestCluster.startDriverProcess(TrainJob.class, args(hdfs + "/runs/crashed"), tmp.resolve("crashed-driver.log"));
        try {
            long deadline = System.currentTimeMillis() + 180_000;
            while (!fs.exists(new Path(checkpoints, "epoch-0002")) && driver.isAlive()
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(driver.isAlive(), "the driver ended before it could be killed; log:\n"
                    + Files.readString(tmp.resolve("crashed-driver.log")));
        } finally {
            driver.destroyForcibly();
            driver.waitFor(30, TimeUnit.SECONDS);
        }
        assertFalse(fs.exists(new Path("/runs/crashed")), "a killed run publishes nothing");
        List<Integer> kept = completeCheckpoints(checkpoints);
        int k = kept.get(0);
        assertTrue(k >= 2 && k < referenceEpochs, "killed after epoch " + k);
        assertEquals(List.of(k, k - 1), kept, "the newest two checkpoints are kept");

        // a copy of the crashed run whose newest checkpoint is then truncated (fault test 3, below)
        assertTrue(FileUtil.copy(fs, new Path("/runs/.crashed._unfinished"), fs, new Path("/runs/.truncated._unfinished"),
                false, fs.getConf()));
        truncate(new Path(String.format("/runs/.truncated._unfinished/checkpoints/epoch-%04d/model.zip", k)));

        // resuming with another config is refused, and the unfinished run is left as it was
        StringWriter err = new StringWriter();
        int refused = run(err, args(hdfs + "/runs/crashed", "--set", "model.learning-rate=0.01"));
        assertEquals(TrainJob.EXIT_BAD_INPUT, refused);
        assertTrue(err.toString().contains("model.learning-rate: 0.005 -> 0.01"), err.toString());
        assertTrue(err.toString().contains("sha256:"), "names both fingerprints: " + err);
        assertEquals(kept, completeCheckpoints(checkpoints));

        // fault test 2: the same command again continues at epoch k + 1 and decides as the uninterrupted run
        assertEquals(0, TrainJob.execute(args(hdfs + "/runs/crashed").toArray(String[]::new)));
        JsonNode resumed = json("/runs/crashed/metrics.json");
        assertEquals(k, resumed.get("resumed_from_epoch").asInt());
        assertSameRun(reference, resumed);
        assertFalse(fs.exists(new Path("/runs/.crashed._unfinished")), "the unfinished folder was renamed into place");
        assertFalse(fs.exists(new Path("/runs/crashed/checkpoints")), "checkpoints are not published");

        // fault test 3: --resume with only the run folder; the truncated epoch k is skipped for epoch k - 1
        assertEquals(0, TrainJob.execute("--resume", hdfs + "/runs/truncated"));
        JsonNode fallback = json("/runs/truncated/metrics.json");
        assertEquals(k - 1, fallback.get("resumed_from_epoch").asInt());
        assertSameRun(reference, fallback);
    }

    @Test
    void resumeWithoutAnUnfinishedRunIsABadInput() throws Exception {
        StringWriter err = new StringWriter();
        assertEquals(TrainJob.EXIT_BAD_INPUT, run(err, List.of("--resume", hdfs + "/runs/never-started")));
        assertTrue(err.toString().contains("no unfinished run") && err.toString().contains("never-started"), err.toString());
        assertFalse(fs.exists(new Path("/runs/never-started")));
        assertFalse(fs.exists(new Path("/runs/.never-started._unfinished")));
    }

    /** Fault test 4: HDFS refuses the write (permissions on, another user): exit 2, nothing left behind. */
    @Test
    void outputFolderWithoutWritePermissionFailsCleanly() throws Exception {
        fs.mkdirs(new Path("/readonly"));
        fs.setPermission(new Path("/readonly"), new FsPermission((short) 0555));
        fs.setPermission(new Path("/data"), new FsPermission((short) 0755));
        StringWriter err = new StringWriter();
        UserGroupInformation analyst = UserGroupInformation.createUserForTesting("analyst", new String[] {"analysts"});
        int exit = analyst.doAs((PrivilegedExceptionAction<Integer>) () -> run(err, args(hdfs + "/readonly/run")));
        assertEquals(TrainJob.EXIT_BAD_INPUT, exit, err.toString());
        assertTrue(err.toString().contains("/readonly/run") && err.toString().contains("Permission denied"), err.toString());
        assertEquals(0, fs.listStatus(new Path("/readonly")).length, "no run folder, finished or not");
    }

    private static int run(StringWriter err, List<String> args) {
        TrainJob job = new TrainJob();
        var cl = TrainJob.commandLine(job);
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args.toArray(String[]::new));
    }

    private static List<Integer> completeCheckpoints(Path dir) throws IOException {
        List<Integer> epochs = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (name.matches("epoch-\\d+")) {
                epochs.add(Integer.parseInt(name.substring(6)));
            }
        }
        epochs.sort((a, b) -> b - a);
        return epochs;
    }

    private static void truncate(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = fs.open(file)) {
            bytes = in.readAllBytes();
        }
        try (OutputStream out = fs.create(file, true)) {
            out.write(bytes, 0, bytes.length / 2);
        }
    }

    /** Same epochs, same early-stopping decision, same metrics up to float noise. */
    static void assertSameRun(JsonNode expected, JsonNode actual) {
        for (String key : new String[] {"stop_reason", "stopped_epoch", "best_epoch", "restored_best_weights"}) {
            assertEquals(expected.get(key).asText(), actual.get(key).asText(), key);
        }
        assertEquals(expected.get("history").size(), actual.get("history").size());
        for (int e = 0; e < expected.get("history").size(); e++) {
            for (String m : new String[] {"loss", "val_loss", "val_accuracy"}) {
                assertEquals(expected.at("/history/" + e + "/" + m).asDouble(), actual.at("/history/" + e + "/" + m).asDouble(),
                        1e-4, "epoch " + (e + 1) + " " + m);
            }
        }
        assertEquals(expected.at("/test/accuracy").asDouble(), actual.at("/test/accuracy").asDouble(), 1e-6);
        assertEquals(expected.at("/test/confusion_matrix").toString(), actual.at("/test/confusion_matrix").toString());
    }

    private static JsonNode json(String path) throws IOException {
        try (InputStream in = fs.open(new Path(path))) {
            return new ObjectMapper().readTree(in);
        }
    }
}
