package io.sparkcnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.jobs.YarnTestCluster.Jars;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jobs on YARN as users run them: {@code scripts/submit.sh --master yarn --deploy-mode cluster --files job.conf}
 * (Spark's own SparkSubmit, no Spark installation) against a MiniYARNCluster with two NodeManagers and HDFS
 * ({@link YarnTestCluster}). The driver runs in the ApplicationMaster's container, the jar and job.conf travel
 * through the HDFS staging folder, executors run in NodeManager containers under enforced memory limits.
 * One cluster for all; the tests run in order (the second compares with the first's run).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long APP_TIMEOUT_SECONDS = 420;

    @TempDir
    static java.nio.file.Path tmp;
    static YarnTestCluster cluster;
    /** Where submit.sh runs: job.conf lies here, as in a user's working folder. */
    static java.nio.file.Path work;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = YarnTestCluster.start(tmp);
        ShapeImages.write(cluster.fs, "/data/shapes", 40, 11);
        work = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(work.resolve("job.conf"), String.join("\n",
                "data { format = image-folder, path = \"" + cluster.hdfs + "/data/shapes\", height = 16, width = 16,",
                "       validation-fraction = 0.25, test-fraction = 0.25 }",
                "model.learning-rate = 0.005",
                "training { batch-size-per-worker = 4, averaging-frequency = 1, max-epochs = 8,",
                "           early-stopping { patience = 2, min-delta = 0.01 } }",
                "output.path = \"" + cluster.hdfs + "/runs/yarn-train\"", ""));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Test 1: train from hdfs:// image folders to an hdfs:// run folder, the driver in a YARN container. */
    @Test
    @Order(1)
    void trainsInClusterModeWithTheDriverInAContainer() throws Exception {
        long t0 = System.nanoTime();
        java.nio.file.Path log = tmp.resolve("train.log");
        // submit.sh's zero-set-up way: Spark's jars and the shaded jar uploaded through the HDFS staging folder
        ApplicationId app = runToEnd("train", Jars.UPLOADED, List.of("--files", "job.conf"), List.of("--config", "job.conf"), log);
        ApplicationReport report = cluster.report(app);
        assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), report.getDiagnostics());
        String client = Files.readString(log);
        String staging = "/.sparkStaging/" + app + "/";
        for (String shipped : new String[] {"-shaded.jar", "job.conf", "spark-core_2.12"}) {
            assertTrue(client.lines().anyMatch(l -> l.contains("Uploading resource") && l.contains(shipped) && l.contains(staging)),
                    shipped + " went through the staging folder:\n" + tail(log));
        }

        JsonNode manifest = json("/runs/yarn-train/manifest.json");
        JsonNode spark = manifest.get("spark");
        assertEquals("yarn", spark.get("master").asText());
        assertEquals("cluster", spark.get("deploy_mode").asText());
        assertEquals(app.toString(), spark.get("application_id").asText());
        assertEquals("1", spark.get("attempt_id").asText());
        String driverContainer = spark.get("driver_container").asText();
        assertEquals(cluster.attempts(app).get(0).getAMContainerId().toString(), driverContainer,
                "the driver ran in the ApplicationMaster's container");
        assertEquals(2, spark.get("executors").asInt());
        JsonNode executors = manifest.at("/layer_helpers/executors");
        assertEquals(2, executors.size(), "both executors trained and reported: " + executors);
        for (JsonNode e : executors) {
            assertTrue(e.get("container").asText().startsWith("container_") && !e.get("container").asText().equals(driverContainer),
                    "an executor in its own container: " + e);
            assertTrue(e.get("backend").asText().startsWith("ND4J backend: CPU"), e.toString());
            assertTrue(e.get("backend").asText().contains("layer helpers: helpers on"), e.toString());
            assertEquals("oneDNN", e.at("/layers/conv2d").asText(), "the fast convolution in the container: " + e);
        }
        assertTrue(cluster.fs.exists(new Path("/runs/yarn-train/model.zip")));
        assertTrue(cluster.fs.exists(new Path("/runs/yarn-train/report.html")));
        JsonNode metrics = json("/runs/yarn-train/metrics.json");
        assertTrue(metrics.get("history").size() >= 3, metrics.get("history").toString());
        System.out.printf("YARN train (test 1): %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Test 2: the driver dies. Once epoch 2's checkpoint is on HDFS the ApplicationMaster's JVM (our driver) is
     * SIGKILLed; YARN starts attempt 2 (spark.yarn.maxAppAttempts=2) of the same command, which finds the unfinished
     * run at its output path, resumes from the newest checkpoint and ends as the uninterrupted run of test 1.
     */
    @Test
    @Order(2)
    void aDriverLostToYarnIsResumedByTheSecondAttempt() throws Exception {
        long t0 = System.nanoTime();
        JsonNode reference = json("/runs/yarn-train/metrics.json");
        assertTrue(reference.get("history").size() >= 4, "the scenario needs 4+ epochs: " + reference.get("history"));

        java.nio.file.Path log = tmp.resolve("resumed.log");
        Process submit = cluster.submit("train", Jars.ON_HDFS, List.of("--files", "job.conf"),
                List.of("--config", "job.conf", "--output", cluster.hdfs + "/runs/yarn-resumed"), work, log);
        Path checkpoint = new Path("/runs/.yarn-resumed._unfinished/checkpoints/epoch-0002");
        long deadline = System.currentTimeMillis() + APP_TIMEOUT_SECONDS * 1000;
        while (!cluster.fs.exists(checkpoint) && submit.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(submit.isAlive() && cluster.fs.exists(checkpoint), "no epoch 2 checkpoint while it ran:\n" + tail(log));
        ApplicationId app = YarnTestCluster.applicationIdIn(log).orElseThrow();
        ContainerId firstDriver = cluster.attempts(app).get(0).getAMContainerId();
        StringBuilder peaks = new StringBuilder("driver " + YarnTestCluster.peakResidentMb(firstDriver) + " MB");
        for (var executor : cluster.executorContainers(app)) {
            peaks.append(", executor ").append(YarnTestCluster.peakResidentMb(executor.getContainerId())).append(" MB");
        }
        System.out.println("YARN test 2: peak resident memory after 2 epochs, containers of "
                + (1024 + 768) + " MB: " + peaks);
        long pid = YarnTestCluster.killContainerJvm(firstDriver);
        System.out.printf("YARN test 2: killed the driver (pid %d, container %s)%n", pid, firstDriver);

        assertTrue(submit.waitFor(APP_TIMEOUT_SECONDS, TimeUnit.SECONDS), "attempt 2 did not end:\n" + tail(log));
        assertEquals(0, submit.exitValue(), "the application failed:\n" + tail(log));
        ApplicationReport report = cluster.report(app);
        assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), report.getDiagnostics());
        List<ApplicationAttemptReport> attempts = cluster.attempts(app);
        assertEquals(2, attempts.size(), "YARN ran a second attempt");

        JsonNode resumed = json("/runs/yarn-resumed/metrics.json");
        int from = resumed.get("resumed_from_epoch").asInt();
        assertTrue(from >= 2, "attempt 2 resumed from a checkpoint: " + from);
        CheckpointResumeIT.assertSameRun(reference, resumed);
        JsonNode spark = json("/runs/yarn-resumed/manifest.json").get("spark");
        assertEquals("2", spark.get("attempt_id").asText());
        assertEquals(attempts.get(1).getAMContainerId().toString(), spark.get("driver_container").asText());
        System.out.printf("YARN driver lost and resumed (test 2): %.0f s, resumed from epoch %d%n",
                (System.nanoTime() - t0) / 1e9, from);
    }

    /**
     * Tests 3 and 4: evaluate and retrain in cluster mode, writing their report and registry run on HDFS (the
     * registry lock taken by a driver in a container); during the retrain an executor's container is killed
     * mid-training (test 4, one application for both to keep the suite short): the job still completes, with the
     * lost executor in its metrics.
     */
    @Test
    @Order(3)
    void evaluateAndRetrainInClusterModeSurviveALostExecutor() throws Exception {
        long t0 = System.nanoTime();
        ApplicationId evaluate = runToEnd("evaluate", Jars.ON_HDFS, List.of(), List.of("--model", cluster.hdfs + "/runs/yarn-train",
                "--output", cluster.hdfs + "/reports/yarn-eval"), tmp.resolve("evaluate.log"));
        assertEquals(FinalApplicationStatus.SUCCEEDED, cluster.report(evaluate).getFinalApplicationStatus());
        JsonNode evaluation = json("/reports/yarn-eval/report.json");
        assertTrue(evaluation.toString().contains("accuracy"), evaluation.toString());
        double evalSeconds = (System.nanoTime() - t0) / 1e9;

        // a failing job: YARN records FAILED with our one line (naming the application) as its diagnostics, which
        // spark-submit prints; one attempt, as a bad input would fail the same way twice
        long tf = System.nanoTime();
        java.nio.file.Path failedLog = tmp.resolve("evaluate-failed.log");
        Process failed = cluster.submit("evaluate", Jars.ON_HDFS, List.of("--conf", "spark.yarn.maxAppAttempts=1"),
                List.of("--model", cluster.hdfs + "/runs/no-such-run", "--output", cluster.hdfs + "/reports/never"), work,
                failedLog);
        assertTrue(failed.waitFor(APP_TIMEOUT_SECONDS, TimeUnit.SECONDS), tail(failedLog));
        assertTrue(failed.exitValue() != 0, "spark-submit reports the failure:\n" + tail(failedLog));
        ApplicationId failedApp = YarnTestCluster.applicationIdIn(failedLog).orElseThrow();
        ApplicationReport failedReport = cluster.report(failedApp);
        assertEquals(FinalApplicationStatus.FAILED, failedReport.getFinalApplicationStatus());
        String line = "yarn logs -applicationId " + failedApp;
        assertTrue(failedReport.getDiagnostics().contains("evaluate: error: ")
                && failedReport.getDiagnostics().contains("no-such-run") && failedReport.getDiagnostics().contains(line),
                failedReport.getDiagnostics());
        assertTrue(Files.readString(failedLog).contains(line), "the submitting terminal shows it:\n" + tail(failedLog));
        // and the command it names prints the driver's log, with the line and the error behind it
        String driverLog = cluster.yarnLogs(failedApp);
        assertTrue(driverLog.contains("evaluate: error: ") && driverLog.contains(line)
                && driverLog.contains(cluster.attempts(failedApp).get(0).getAMContainerId().toString()), driverLog);
        assertTrue(!cluster.fs.exists(new Path("/reports/never")), "nothing published");
        System.out.printf("YARN failed evaluate: %.0f s%n", (System.nanoTime() - tf) / 1e9);

        long t1 = System.nanoTime();
        ShapeImages.write(cluster.fs, "/data/holdout", 10, 99);
        Files.writeString(work.resolve("retrain.conf"), Files.readString(work.resolve("job.conf"))
                .replaceAll("(?m)^output\\.path.*$", "")
                .replace("max-epochs = 8", "max-epochs = 12")
                + "registry { path = \"" + cluster.hdfs + "/models/shapes\", holdout.path = \"" + cluster.hdfs
                + "/data/holdout\", floor = 0.3 }\n");
        java.nio.file.Path log = tmp.resolve("retrain.log");
        Process submit = cluster.submit("retrain", Jars.ON_HDFS, List.of("--files", "retrain.conf"), List.of("--config", "retrain.conf"),
                work, log);
        // an executor's container dies once training has started (the first epoch's checkpoint is written)
        long deadline = System.currentTimeMillis() + APP_TIMEOUT_SECONDS * 1000;
        Path runs = new Path("/models/shapes/runs");
        while (submit.isAlive() && System.currentTimeMillis() < deadline && !checkpointWritten(runs)) {
            Thread.sleep(100);
        }
        assertTrue(submit.isAlive(), "the retrain ended before an executor could be killed:\n" + tail(log));
        ApplicationId retrain = YarnTestCluster.applicationIdIn(log).orElseThrow();
        ContainerId executor = cluster.executorContainers(retrain).get(0).getContainerId();
        long pid = YarnTestCluster.killContainerJvm(executor);
        System.out.printf("YARN test 4: killed executor pid %d (container %s)%n", pid, executor);

        assertTrue(submit.waitFor(APP_TIMEOUT_SECONDS, TimeUnit.SECONDS), "the retrain did not end:\n" + tail(log));
        assertEquals(0, submit.exitValue(), "the retrain failed:\n" + tail(log));
        assertEquals(FinalApplicationStatus.SUCCEEDED, cluster.report(retrain).getFinalApplicationStatus());
        assertTrue(cluster.fs.exists(new Path("/models/shapes/champion")), "the first retrain promotes its model");
        FileStatus[] runFolders = cluster.fs.listStatus(runs);
        assertEquals(1, runFolders.length);
        Path run = runFolders[0].getPath();
        assertTrue(cluster.fs.exists(new Path(run, "decision.json")) && cluster.fs.exists(new Path(run, "comparison")));
        JsonNode metrics = json(new Path(run, "model/metrics.json").toUri().getPath());
        assertTrue(metrics.at("/faults/executors_lost").asInt() >= 1, "the lost executor is recorded: " + metrics.get("faults"));
        assertTrue(cluster.fs.listStatus(new Path("/models/shapes"), p -> p.getName().equals("lock")).length == 0,
                "the registry lock was released");
        System.out.printf("YARN evaluate (test 3): %.0f s; retrain with a lost executor (tests 3, 4): %.0f s%n",
                evalSeconds, (System.nanoTime() - t1) / 1e9);
    }

    /** Whether a retrain's unfinished run under {@code runs} has written its first epoch's checkpoint. */
    private static boolean checkpointWritten(Path runs) throws IOException {
        if (!cluster.fs.exists(runs)) {
            return false;
        }
        var files = cluster.fs.listFiles(runs, true);
        while (files.hasNext()) {
            if (files.next().getPath().toString().contains("/checkpoints/epoch-0001/")) {
                return true;
            }
        }
        return false;
    }

    /** Runs submit.sh to its end (exit 0 asserted, its output shown otherwise) and returns the application. */
    private static ApplicationId runToEnd(String job, Jars jars, List<String> sparkArgs, List<String> jobArgs,
                                          java.nio.file.Path log) throws Exception {
        Process p = cluster.submit(job, jars, sparkArgs, jobArgs, work, log);
        boolean ended = p.waitFor(APP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        assertTrue(ended, job + " did not end in " + APP_TIMEOUT_SECONDS + " s:\n" + tail(log));
        assertEquals(0, p.exitValue(), job + " failed:\n" + tail(log));
        ApplicationId app = YarnTestCluster.applicationIdIn(log).orElse(null);
        assertNotNull(app, "no application id in the submit output:\n" + tail(log));
        return app;
    }

    static String tail(java.nio.file.Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static JsonNode json(String path) throws IOException {
        try (InputStream in = cluster.fs.open(new Path(path))) {
            return JSON.readTree(in);
        }
    }
}
