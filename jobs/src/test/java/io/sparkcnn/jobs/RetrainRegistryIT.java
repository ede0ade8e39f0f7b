package io.sparkcnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.registry.RetrainResult;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scheduled retraining into a model registry on a real HDFS (MiniDFSCluster), on real Fashion-MNIST PNG
 * folders arriving as dated partitions (images/dt=N/&lt;class&gt;/). Three retrains in sequence (promoted, a
 * deliberately worse one rejected, a better one promoted) while another client keeps reading the champion
 * pointer; promotion and rollback by hand; then two retrains at once (the second is refused as locked), the
 * running one SIGKILLed during training, and the next one taking over its stale lock and succeeding.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainRegistryIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static java.nio.file.Path tmp;
    static TestCluster cluster;
    static FileSystem fs;
    static String hdfs;
    static String registry;

    @BeforeAll
    static void startHdfs() throws Exception {
        cluster = TestCluster.start(tmp, "local[2]");
        fs = cluster.fs;
        hdfs = cluster.hdfs;
        registry = hdfs + "/models/fashion";
        FashionMnistFolders.write(fs, "/images/dt=2026-11-01", "train", 0, 30); // 300 images
        FashionMnistFolders.write(fs, "/holdout", "t10k", 0, 30); // the fixed yardstick: 300 test images
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<String> args(String... extra) {
        List<String> args = new ArrayList<>(List.of("--registry", registry,
                "--set", "data.format=image-folder", "--set", "data.path=" + hdfs + "/images/dt=*",
                "--set", "data.validation-fraction=0.2", "--set", "data.test-fraction=0.1",
                "--set", "registry.holdout.path=" + hdfs + "/holdout",
                "--set", "registry.metric=accuracy", "--set", "registry.min-improvement=0.01", "--set", "registry.floor=0.3",
                "--set", "training.batch-size-per-worker=16", "--set", "training.averaging-frequency=2",
                "--set", "training.early-stopping.monitor=val_accuracy", "--set", "model.learning-rate=0.003"));
        args.addAll(List.of(extra));
        return args;
    }

    private static RetrainResult retrain(String... extra) {
        RetrainJob job = new RetrainJob();
        StringWriter err = new StringWriter();
        var cl = RetrainJob.commandLine(job);
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args(extra).toArray(String[]::new));
        assertEquals(0, exit, err.toString());
        return job.result();
    }

    @Test
    @Order(1)
    void threeRetrainsPromoteRejectAndPromoteWhileReadersSeeAWholeChampion() throws Exception {
        // another client reads the champion pointer all along: it is absent or whole, never half-written
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<String> readerError = new AtomicReference<>();
        FileSystem readerFs = FileSystem.newInstance(fs.getUri(), fs.getConf());
        Thread reader = new Thread(() -> {
            while (!stop.get() && readerError.get() == null) {
                try (InputStream in = readerFs.open(new Path("/models/fashion/champion"))) {
                    JsonNode c = JSON.readTree(in);
                    if (!readerFs.exists(new Path(c.get("model").asText()))) {
                        readerError.set("champion points at a missing model: " + c);
                    }
                    reads.incrementAndGet();
                } catch (FileNotFoundException e) {
                    // no champion yet
                } catch (Exception e) {
                    readerError.set("reading the champion failed: " + e);
                }
            }
        });
        reader.start();
        RetrainResult first;
        RetrainResult worse;
        RetrainResult better;
        try {
            first = retrain("--set", "training.max-epochs=3");
            assertTrue(first.promoted(), first.reason());
            assertNull(first.previousChampion());
            assertTrue(first.reason().contains("no champion yet"), first.reason());

            // deliberately worse: one epoch from scratch on 30 images
            worse = retrain("--from-scratch", "--set", "training.max-epochs=1", "--set", "data.max-train-images=30");
            assertFalse(worse.promoted(), worse.reason());
            assertEquals(first.runId(), worse.previousChampion());
            assertTrue(worse.challengerScore() < first.challengerScore(), worse.reason());

            // a new day's partition arrives; warm start from the champion on all of it
            FashionMnistFolders.write(fs, "/images/dt=2026-11-02", "train", 30, 90);
            better = retrain("--set", "training.max-epochs=4");
            assertTrue(better.promoted(), better.reason());
            assertEquals(first.runId(), better.previousChampion());
        } finally {
            stop.set(true);
            reader.join(10_000);
            readerFs.close();
        }
        assertNull(readerError.get(), readerError.get());
        assertTrue(reads.get() > 0, "the reader saw the champion");

        // the same champion on the same holdout scores the same in every run: scores compare across runs
        assertEquals(first.challengerScore(), worse.championScore(), 1e-9);
        assertEquals(first.challengerScore(), better.championScore(), 1e-9);

        List<JsonNode> history = history();
        assertEquals(3, history.size(), history.toString());
        assertLine(history.get(0), first, "promoted", first.runId());
        assertLine(history.get(1), worse, "kept", first.runId());
        assertLine(history.get(2), better, "promoted", better.runId());
        assertEquals(1, history.get(0).get("data_sources").size(), "one partition at first");
        assertEquals(2, history.get(2).get("data_sources").size(), "both partitions: " + history.get(2));
        assertTrue(history.get(2).get("data_sources").toString().contains("dt=2026-11-02"));
        assertEquals(first.runId(), history.get(2).get("warm_start_from").asText());
        assertTrue(history.get(1).get("warm_start_from").isNull(), "--from-scratch");

        JsonNode champion = json("/models/fashion/champion");
        assertEquals(better.runId(), champion.get("run").asText());
        assertEquals("sha256:" + sha256(new Path(champion.get("model").asText())), champion.get("model_fingerprint").asText());
        JsonNode manifest = json("/models/fashion/runs/" + better.runId() + "/model/manifest.json");
        assertTrue(manifest.at("/warm_start/from").asText().contains(first.runId()), manifest.get("warm_start").toString());
        JsonNode holdout = json("/models/fashion/holdout.json");
        assertEquals(first.runId(), holdout.get("recorded_by").asText());
        assertEquals(300, holdout.get("images").asInt());

        // the comparison report of the last run, both models side by side
        JsonNode comparison = json("/models/fashion/runs/" + better.runId() + "/comparison/report.json");
        assertEquals(first.runId(), comparison.at("/champion/run").asText());
        assertEquals(better.challengerScore() - better.championScore(), comparison.at("/delta/accuracy").asDouble(), 1e-9);
        assertEquals(10, comparison.get("per_class_f1").size());
        assertEquals(300, sum(comparison.at("/champion/confusion_matrix/matrix")));
        assertEquals(300, sum(comparison.at("/challenger/confusion_matrix/matrix")));
        String html = text("/models/fashion/runs/" + better.runId() + "/comparison/report.html");
        assertTrue(html.contains("Content-Security-Policy") && html.contains("champion " + first.runId()), "side by side");
        assertTrue(fs.exists(new Path("/models/fashion/runs/" + worse.runId() + "/comparison/report.md")));
        assertTrue(fs.exists(new Path("/models/fashion/runs/" + better.runId() + "/model/report.html")),
                "each run keeps its own train report");

        // by hand: roll back to the previous champion, list, promote again; recorded with who and why
        StringWriter out = new StringWriter();
        assertEquals(0, registryCommand(out, "rollback", "--reason", "complaints about sneakers", "--by", "oncall"));
        assertEquals(first.runId(), json("/models/fashion/champion").get("run").asText());
        assertEquals(0, registryCommand(out, "list"));
        assertTrue(out.toString().contains(worse.runId()) && out.toString().contains("rolled back"), out.toString());
        assertEquals(0, registryCommand(out, "promote", better.runId(), "--reason", "false alarm"));
        assertEquals(better.runId(), json("/models/fashion/champion").get("run").asText());
        StringWriter shown = new StringWriter();
        assertEquals(0, registryCommand(shown, "show"));
        JsonNode show = JSON.readTree(shown.toString());
        assertEquals(better.runId(), show.at("/champion/run").asText());
        assertEquals("promote", show.at("/champion/how").asText());
        assertEquals(better.challengerScore(), show.at("/holdout_scores/accuracy").asDouble(), 1e-12);
        assertEquals(JobSupport.EXIT_BAD_INPUT, registryCommand(out, "promote", "19990101T000000Z", "--reason", "typo"));
        history = history();
        assertEquals(5, history.size());
        assertEquals("rollback", history.get(3).get("kind").asText());
        assertEquals("oncall", history.get(3).get("by").asText());
        assertEquals("complaints about sneakers", history.get(3).get("reason").asText());
        assertEquals(better.runId(), history.get(3).get("champion_before").asText());
        assertEquals("promote", history.get(4).get("kind").asText());
        assertEquals(better.runId(), history.get(4).get("champion_after").asText());
        assertFalse(fs.exists(new Path("/models/fashion/lock")), "every run released the lock");
    }

    @Test
    @Order(2)
    void aSecondRetrainIsLockedOutAKilledOneChangesNothingAndTheNextTakesOverItsStaleLock() throws Exception {
        byte[] championBefore = bytes("/models/fashion/champion");
        int historyBefore = history().size();
        List<String> runsBefore = finishedRuns();
        assertFalse(runsBefore.isEmpty(), "runs after the first test");

        java.nio.file.Path log = tmp.resolve("killed-retrain.log");
        List<String> longRun = args("--set", "training.max-epochs=40", "--set", "training.early-stopping.patience=40",
                "--set", "registry.lock-stale-after=6s");
        Process driver = TestCluster.startDriverProcess(RetrainJob.class, longRun, log);
        String killed;
        try {
            long deadline = System.currentTimeMillis() + 180_000;
            while (checkpointed() == null && driver.isAlive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(driver.isAlive(), "the retrain ended before it could be killed; log:\n" + Files.readString(log));
            killed = checkpointed();
            assertNotNull(killed, "no checkpoint within 3 minutes; log:\n" + Files.readString(log));

            // started at the same time: refused while the first one runs, nothing written
            StringWriter err = new StringWriter();
            RetrainJob second = new RetrainJob();
            var cl = RetrainJob.commandLine(second);
            cl.setErr(new PrintWriter(err, true));
            assertEquals(RetrainJob.EXIT_LOCKED, cl.execute(args("--set", "registry.lock-stale-after=6s").toArray(String[]::new)));
            assertTrue(err.toString().contains("locked by " + killed), err.toString());
            assertEquals(historyBefore, history().size(), "a locked-out run writes no history");
        } finally {
            driver.destroyForcibly(); // SIGKILL during training
            driver.waitFor(30, TimeUnit.SECONDS);
        }

        // the killed run changed nothing: champion, history and earlier runs as they were
        assertEquals(new String(championBefore, StandardCharsets.UTF_8), new String(bytes("/models/fashion/champion"),
                StandardCharsets.UTF_8));
        assertEquals(historyBefore, history().size());
        assertEquals(runsBefore, finishedRuns());
        assertTrue(fs.exists(new Path("/models/fashion/lock")), "a killed run cannot release its lock");

        // once the dead run's lock is older than lock-stale-after, the next retrain takes it over and succeeds
        long lockAge = System.currentTimeMillis() - fs.getFileStatus(new Path("/models/fashion/lock")).getModificationTime();
        Thread.sleep(Math.max(0, 6_500 - lockAge));
        RetrainResult next = retrain("--set", "training.max-epochs=1", "--set", "registry.lock-stale-after=6s");
        assertEquals(killed, next.tookOverLockFrom());
        assertEquals(List.of(killed), next.recordedFailures());
        List<JsonNode> history = history();
        assertEquals(historyBefore + 2, history.size());
        JsonNode failure = history.get(historyBefore);
        assertEquals(killed, failure.get("run").asText());
        assertEquals("failed", failure.get("decision").asText());
        assertTrue(failure.get("reason").asText().contains("took over its stale lock"), failure.toString());
        assertEquals(next.runId(), history.get(historyBefore + 1).get("run").asText());
        assertFalse(fs.exists(new Path("/models/fashion/runs/." + killed + "._unfinished")), "the dead run's folder is gone");
        assertFalse(finishedRuns().contains(killed));
        assertFalse(fs.exists(new Path("/models/fashion/lock")));
        String expectedChampion = next.promoted() ? next.runId() : JSON.readTree(championBefore).get("run").asText();
        assertEquals(expectedChampion, json("/models/fashion/champion").get("run").asText());
    }

    @Test
    @Order(3)
    void aFailedRetrainRecordsOneFailureLineAndChangesNothingElse() throws Exception {
        byte[] championBefore = bytes("/models/fashion/champion");
        int historyBefore = history().size();
        FashionMnistFolders.write(fs, "/other-holdout", "t10k", 30, 10);
        StringWriter err = new StringWriter();
        RetrainJob job = new RetrainJob();
        var cl = RetrainJob.commandLine(job);
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args("--set", "registry.holdout.path=" + hdfs + "/other-holdout").toArray(String[]::new));
        assertEquals(JobSupport.EXIT_BAD_INPUT, exit, err.toString());
        assertTrue(err.toString().contains("is not the holdout this registry scores on"), err.toString());
        List<JsonNode> history = history();
        assertEquals(historyBefore + 1, history.size());
        assertEquals("failed", history.get(historyBefore).get("decision").asText());
        assertArrayEqualsText(championBefore, bytes("/models/fashion/champion"));
        assertFalse(fs.exists(new Path("/models/fashion/lock")));
        String failed = history.get(historyBefore).get("run").asText();
        assertFalse(fs.exists(new Path("/models/fashion/runs/" + failed)), "nothing half-written");
        assertFalse(fs.exists(new Path("/models/fashion/runs/." + failed + "._unfinished")));
    }

    private static void assertArrayEqualsText(byte[] expected, byte[] actual) {
        assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8));
    }

    /** The run id of a retrain that has written a training checkpoint, or null. */
    private static String checkpointed() throws IOException {
        FileStatus[] found = fs.globStatus(new Path("/models/fashion/runs/.*._unfinished/.model._unfinished/checkpoints/epoch-0001"));
        if (found == null || found.length == 0) {
            return null;
        }
        String unfinished = found[0].getPath().getParent().getParent().getParent().getName();
        return unfinished.substring(1, unfinished.length() - "._unfinished".length());
    }

    private static void assertLine(JsonNode line, RetrainResult r, String decision, String championAfter) {
        assertEquals(r.runId(), line.get("run").asText());
        assertEquals("retrain", line.get("kind").asText());
        assertEquals(decision, line.get("decision").asText());
        assertEquals(r.reason(), line.get("reason").asText());
        assertEquals(r.challengerScore(), line.at("/challenger/accuracy").asDouble(), 1e-12);
        assertEquals(championAfter, line.get("champion_after").asText());
        assertTrue(line.get("duration_seconds").asDouble() > 0);
    }

    private static int registryCommand(StringWriter out, String... args) {
        List<String> all = new ArrayList<>(List.of("--registry", registry));
        all.addAll(List.of(args));
        var cl = RegistryJob.commandLine(new RegistryJob());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return cl.execute(all.toArray(String[]::new));
    }

    private static List<String> finishedRuns() throws IOException {
        List<String> runs = new ArrayList<>();
        for (FileStatus s : fs.listStatus(new Path("/models/fashion/runs"))) {
            if (!s.getPath().getName().startsWith(".")) {
                runs.add(s.getPath().getName());
            }
        }
        runs.sort(null);
        return runs;
    }

    private static List<JsonNode> history() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text("/models/fashion/history.jsonl").split("\n")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static long sum(JsonNode matrix) {
        long total = 0;
        for (JsonNode row : matrix) {
            for (JsonNode v : row) {
                total += v.asLong();
            }
        }
        return total;
    }

    private static JsonNode json(String path) throws IOException {
        return JSON.readTree(bytes(path));
    }

    private static String text(String path) throws IOException {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String path) throws IOException {
        try (InputStream in = fs.open(new Path(path))) {
            return in.readAllBytes();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes(file.toUri().getPath())));
    }
}
