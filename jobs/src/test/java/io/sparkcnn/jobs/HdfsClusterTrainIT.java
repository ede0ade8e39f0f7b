package io.sparkcnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The train job on real parts: images on a MiniDFSCluster (namenode and datanode on loopback), two
 * separate executor JVMs (Spark's local-cluster mode), the entry point as spark-submit calls it, and
 * the run folder written back to hdfs://. Every closure, broadcast and DataSet crosses a process. One
 * executor JVM is killed while training: Spark retries its work and the run still completes.
 */
class HdfsClusterTrainIT {
    /** Executors are new JVMs: they need the same module opens as the test JVM. */
    private static final String EXECUTOR_OPTS = "-XX:+IgnoreUnrecognizedVMOptions"
            + " --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
            + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
            + " --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
            + " --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
            + " --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED"
            + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED"
            + " --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
            + " -Djdk.reflect.useDirectMethodHandle=false -Dorg.bytedeco.javacpp.maxbytes=1G"
            + " -Dorg.bytedeco.javacpp.maxphysicalbytes=3G";

    @TempDir
    static java.nio.file.Path tmp;
    static TestCluster cluster;
    static FileSystem fs;
    static String hdfs;

    @BeforeAll
    static void startHdfsAndWriteImages() throws Exception {
        // as spark-submit would pass them: the master and resources arrive as system properties
        cluster = TestCluster.start(tmp, "local-cluster[2,1,1024]").property("spark.executor.memory", "1g")
                .property("spark.executor.extraJavaOptions", EXECUTOR_OPTS);
        fs = cluster.fs;
        hdfs = cluster.hdfs;
        ShapeImages.write(fs, "/data/shapes", 24, 9);
        try (OutputStream out = fs.create(new Path("/data/shapes/square/truncated.png"))) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void trainsFromHdfsOnTwoExecutorJvmsAndWritesTheRunToHdfs() throws Exception {
        String run = hdfs + "/runs/shapes";
        int exit = TrainJob.execute(
                "--set", "data.format=image-folder", "--set", "data.path=" + hdfs + "/data/shapes",
                "--set", "data.height=16", "--set", "data.width=16",
                "--set", "data.validation-fraction=0.25", "--set", "data.test-fraction=0.25",
                "--set", "training.batch-size-per-worker=8", "--set", "training.averaging-frequency=2",
                "--set", "training.max-epochs=2", "--set", "model.learning-rate=0.005",
                "--output", run);
        assertEquals(0, exit);

        for (String f : new String[] {"model.zip", "metrics.json", "manifest.json", "summary.txt"}) {
            assertTrue(fs.exists(new Path("/runs/shapes/" + f)), f + " on HDFS");
        }
        for (FileStatus s : fs.listStatus(new Path("/runs"))) {
            assertFalse(s.getPath().getName().contains("_unfinished"), "temporary folder left: " + s.getPath());
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest;
        try (InputStream in = fs.open(new Path("/runs/shapes/manifest.json"))) {
            manifest = json.readTree(in);
        }
        assertEquals("local-cluster[2,1,1024]", manifest.at("/spark/master").asText());
        assertEquals(2, manifest.at("/spark/executors").asInt(), "two executor JVMs");
        assertEquals(1, manifest.at("/dataset/skipped_count").asInt());
        assertTrue(manifest.at("/dataset/skipped/0/path").asText().startsWith("hdfs://"));
        assertEquals(hdfs + "/data/shapes", manifest.at("/dataset/sources/0").asText());
        // the fast convolution reached the executor JVMs: each worker read the helpers off its own network
        assertEquals("oneDNN", manifest.at("/layer_helpers/driver/layers/conv2d").asText(), manifest.get("layer_helpers").toString());
        JsonNode executors = manifest.at("/layer_helpers/executors");
        assertEquals(2, executors.size(), "both executor JVMs report: " + executors);
        for (JsonNode e : executors) {
            assertFalse(e.get("executor").asText().equals("driver"), "reported from an executor JVM: " + e);
            assertFalse(e.get("pid").asLong() == ProcessHandle.current().pid(), "another JVM than the driver: " + e);
            assertEquals("oneDNN", e.at("/layers/conv2d").asText(), e.toString());
            assertEquals("oneDNN", e.at("/layers/maxpool").asText(), e.toString());
            assertTrue(e.get("jvm").asText().contains("oneDNN natives"), e.toString());
        }
        JsonNode metrics;
        try (InputStream in = fs.open(new Path("/runs/shapes/metrics.json"))) {
            metrics = json.readTree(in);
        }
        assertEquals(2, metrics.get("history").size());
        assertEquals(12, metrics.at("/test/images").asInt(), "a quarter of 48 images");
        assertTrue(metrics.at("/history/0/loss").asDouble() > 0, "workers' losses reached the driver");

        assertEquals(0, metrics.at("/faults/failed_task_attempts").asInt(), "a healthy run retries nothing");

        MultiLayerNetwork restored;
        try (InputStream in = fs.open(new Path("/runs/shapes/model.zip"))) {
            restored = ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
        assertEquals(manifest.at("/model/total_params").asLong(), restored.numParams());
    }

    @Test
    void survivesAnExecutorKilledDuringTraining() throws Exception {
        String run = hdfs + "/runs/killed";
        int[] exit = {-1};
        Thread job = new Thread(() -> exit[0] = TrainJob.execute(
                "--set", "data.format=image-folder", "--set", "data.path=" + hdfs + "/data/shapes",
                "--set", "data.height=16", "--set", "data.width=16",
                "--set", "data.validation-fraction=0.25", "--set", "data.test-fraction=0.25",
                "--set", "training.batch-size-per-worker=4", "--set", "training.averaging-frequency=1",
                "--set", "training.max-epochs=6", "--set", "training.early-stopping.patience=10",
                "--output", run));
        job.start();
        // training starts once the decoded splits are checkpointed into the unfinished run folder
        long deadline = System.currentTimeMillis() + 120_000;
        while (!checkpointsWritten() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(checkpointsWritten(), "training did not start");
        Thread.sleep(1500);
        ProcessHandle executor = ProcessHandle.current().descendants()
                .filter(p -> commandLine(p).contains("CoarseGrainedExecutorBackend"))
                .findFirst().orElseThrow(() -> new AssertionError("no executor JVM found"));
        executor.destroyForcibly();
        job.join(300_000);

        assertEquals(0, exit[0], "the job completes without the killed executor");
        JsonNode metrics;
        try (InputStream in = fs.open(new Path("/runs/killed/metrics.json"))) {
            metrics = new ObjectMapper().readTree(in);
        }
        assertEquals(6, metrics.get("history").size(), "every configured epoch ran");
        // the lost executor is always recorded; its failed task attempt only when it was running one
        // (between averaging rounds it may be idle), so that count is not asserted here
        assertTrue(metrics.at("/faults/executors_lost").asInt() >= 1, metrics.get("faults").toString());
        assertTrue(metrics.at("/faults/failed_task_attempts").isInt(), metrics.get("faults").toString());
    }

    /** The full command line (ProcessHandle.Info truncates the executors' long class path to nothing). */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    /** True once all three decoded splits are checkpointed (rdd-N folders) inside the unfinished run folder. */
    private static boolean checkpointsWritten() throws java.io.IOException {
        if (!fs.exists(new Path("/runs"))) {
            return false;
        }
        for (FileStatus s : fs.listStatus(new Path("/runs"))) {
            Path checkpoints = new Path(s.getPath(), "_rdd-checkpoints");
            if (s.getPath().getName().equals(".killed._unfinished") && fs.exists(checkpoints)) {
                var files = fs.listFiles(checkpoints, true);
                java.util.Set<String> rdds = new java.util.HashSet<>();
                while (files.hasNext()) {
                    String path = files.next().getPath().toString();
                    int at = path.indexOf("/rdd-");
                    if (at >= 0) {
                        rdds.add(path.substring(at, path.indexOf('/', at + 1)));
                    }
                }
                return rdds.size() == 3; // train, validation and test decoded: training is next
            }
        }
        return false;
    }
}
