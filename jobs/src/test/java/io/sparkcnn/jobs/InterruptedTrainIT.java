package io.sparkcnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C / SIGTERM on a training driver (issue 14, items 14, 8 and 7): the train job runs as its own JVM with the
 * production logging config (conf/log4j2.properties, everything on stderr) and with --overwrite over an old run;
 * it gets SIGTERM after the checkpoint of its first epoch. It exits 143 and prints one line naming the command
 * that resumes it, not Spark's "SparkContext was shut down" stack traces; then {@code train --resume <output>}
 * continues the overwrite run from its checkpoint and replaces the old run. While it runs, a second job on the same
 * output is refused naming its pid.
 */
class InterruptedTrainIT {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void images() throws Exception {
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.driver.host", "127.0.0.1");
        data = tmp.resolve("shapes");
        ShapeImages.write(FileSystem.getLocal(new Configuration()), data.toString(), 150, 7);
    }

    static List<String> args(Path output) {
        return List.of("--set", "data.format=image-folder", "--set", "data.path=" + data.toUri(),
                "--set", "data.height=20", "--set", "data.width=20",
                "--set", "data.validation-fraction=0.2", "--set", "data.test-fraction=0.2",
                "--set", "training.batch-size-per-worker=8", "--set", "training.max-epochs=8",
                "--set", "training.early-stopping.patience=10", "--output", output.toUri().toString(), "--overwrite");
    }

    static Process start(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Dorg.bytedeco") || a.startsWith("-XX:+IgnoreUnrecognized")
                    || a.startsWith("-Djdk.reflect")) {
                cmd.add(a);
            }
        }
        Path log4j = Path.of(System.getProperty("user.dir")).resolveSibling("conf").resolve("log4j2.properties");
        assertTrue(Files.exists(log4j), log4j.toString());
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), "-Dspark.master=local[2]",
                "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1", "-Dlog4j.configurationFile=" + log4j.toUri(),
                TrainJob.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile()).start();
    }

    @Test
    void sigtermPrintsOneLineWithTheResumeCommandAndResumeContinues() throws Exception {
        Path output = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(output.resolve("old.txt"), "the run that --overwrite replaces");
        Path checkpoint = tmp.resolve(".run._unfinished/checkpoints/epoch-0001");
        Path log = tmp.resolve("driver.err");
        Process driver = start(args(output), log);
        long sentAt;
        try {
            long deadline = System.currentTimeMillis() + 180_000;
            while (!Files.exists(checkpoint) && driver.isAlive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(driver.isAlive(), "the driver ended before the signal; stderr:\n" + Files.readString(log));
            // a second job on the same output is refused naming the first (item 7; the jobs exit 75)
            var locked = org.junit.jupiter.api.Assertions.assertThrows(
                    io.sparkcnn.driver.output.FolderLockedException.class, () -> io.sparkcnn.driver.output.RunFolder
                            .beginFresh("predict", output.toUri().toString(), true, new Configuration()));
            assertTrue(locked.getMessage().contains("pid " + driver.pid()), locked.getMessage());
            Thread.sleep(300); // into epoch 2: Spark jobs are running when the context is stopped
            sentAt = Files.size(log);
            driver.destroy(); // SIGTERM
            assertTrue(driver.waitFor(60, TimeUnit.SECONDS), "the driver stops after SIGTERM");
        } finally {
            driver.destroyForcibly();
        }
        String all = Files.readString(log);
        String after = all.substring((int) Math.min(sentAt, all.length()));
        System.out.println("stderr of the driver after SIGTERM:\n" + after);
        List<String> lines = after.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(143, driver.exitValue(), "128 + SIGTERM, as shells expect; stderr:\n" + after);
        assertFalse(after.contains("SparkContext was shut down") || after.contains("stopped SparkContext")
                || after.contains("\tat "), "no stack of the stopped context:\n" + after);
        assertTrue(lines.size() <= 4, lines.size() + " lines after the signal:\n" + after);
        String resume = "train --resume " + output.toUri();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("train: interrupted by SIGTERM") && l.contains(resume)),
                "one line names the resume command:\n" + after);
        assertTrue(Files.exists(output.resolve("old.txt")), "the old run stays until the new one is complete");

        // the command it printed continues the --overwrite run (its config is in the checkpoint)
        StringWriter err = new StringWriter();
        CommandLineRun resumed = new CommandLineRun(err, "--resume", output.toUri().toString());
        assertEquals(0, resumed.exit, err.toString());
        JsonNode metrics = new ObjectMapper().readTree(output.resolve("metrics.json").toFile());
        assertTrue(metrics.get("resumed_from_epoch").asInt() >= 1, metrics.toString());
        assertFalse(Files.exists(output.resolve("old.txt")), "the resumed overwrite run replaced the old one");
    }

    /** The train job in this JVM, as spark-submit would run it, with stderr captured. */
    static final class CommandLineRun {
        final int exit;

        CommandLineRun(StringWriter err, String... args) {
            var cl = TrainJob.commandLine(new TrainJob());
            cl.setErr(new PrintWriter(err, true));
            exit = cl.execute(args);
        }
    }
}
