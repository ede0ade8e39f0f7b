package io.sparkcnn.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retrain entry point's bad input: clear message, exit 2, the registry left as it was but for a failure line. */
class RetrainJobTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void sparkSubmitStyleMaster() throws IOException {
        System.setProperty("spark.master", "local[2]");
        System.setProperty("spark.ui.enabled", "false");
        System.setProperty("spark.driver.host", "127.0.0.1");
        FileSystem local = FileSystem.getLocal(new Configuration());
        ShapeImages.write(local, dir.resolve("images/dt=1").toString(), 6, 5);
    }

    @AfterAll
    static void clear() {
        System.clearProperty("spark.master");
        System.clearProperty("spark.ui.enabled");
        System.clearProperty("spark.driver.host");
    }

    private static String[] run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = RetrainJob.commandLine(new RetrainJob());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new String[] {Integer.toString(cl.execute(args)), err.toString()};
    }

    @Test
    void helpListsTheRegistryKeysAndNotOutput() {
        StringWriter out = new StringWriter();
        assertEquals("0", run(out, new StringWriter(), "--help")[0]);
        String help = out.toString();
        for (String key : List.of("registry.path", "registry.metric", "registry.min-improvement", "registry.floor",
                "registry.lock-stale-after", "registry.holdout.path", "data.path", "--from-scratch", "75")) {
            assertTrue(help.contains(key), key + " in:\n" + help);
        }
        assertFalse(help.contains("output.path"), help);
        StringWriter trainHelp = new StringWriter();
        CommandLine train = TrainJob.commandLine(new TrainJob());
        train.setOut(new PrintWriter(trainHelp, true));
        train.execute("--help");
        assertFalse(trainHelp.toString().contains("registry."), "train --help shows train keys only");
    }

    @Test
    void aMissingRegistryPathIsRefusedBeforeAnythingStarts() {
        String[] r = run(new StringWriter(), new StringWriter(), "--set", "data.format=image-folder",
                "--set", "data.path=" + dir.resolve("images").toUri());
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("registry.path must name the registry root"), r[1]);
    }

    @Test
    void aHoldoutInsideTheTrainingDataFailsWithOneHistoryLineAndNoRun() throws Exception {
        Path registry = dir.resolve("registry");
        String[] r = run(new StringWriter(), new StringWriter(), "--registry", registry.toUri().toString(),
                "--set", "data.format=image-folder", "--set", "data.path=" + dir.resolve("images").toUri() + "dt=*",
                "--set", "registry.holdout.path=" + dir.resolve("images/dt=1").toUri());
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("overlaps the training data"), r[1]);
        List<String> lines = Files.readAllLines(registry.resolve("history.jsonl"));
        assertEquals(1, lines.size());
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertEquals("failed", line.get("decision").asText());
        assertTrue(line.get("reason").asText().contains("overlaps"), line.toString());
        assertFalse(Files.exists(registry.resolve("champion")));
        assertFalse(Files.exists(registry.resolve("lock")), "lock released");
        try (var runs = Files.list(registry.resolve("runs"))) {
            assertEquals(0, runs.count(), "no run folder, finished or not");
        }
    }
}
