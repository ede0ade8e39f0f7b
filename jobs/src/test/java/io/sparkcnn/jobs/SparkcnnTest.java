package io.sparkcnn.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one main class (scripts/submit.sh runs it): every job as a subcommand with its own help, version line,
 * messages and exit codes. None of these starts a SparkContext: each fails or answers before one.
 */
class SparkcnnTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run sparkcnn(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Sparkcnn.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void predictHelpWorksThroughTheOneMain() {
        Run r = sparkcnn("predict", "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Usage: sparkcnn predict"), r.out());
        assertTrue(r.out().contains("--model=URI") && r.out().contains("--input=URI") && r.out().contains("130/143"), r.out());
    }

    @Test
    void eachJobKeepsItsHelpFooterAndOptionTexts() {
        String train = sparkcnn("train", "--help").out();
        assertTrue(train.contains("training.early-stopping.patience") && !train.contains("registry."), train);
        String evaluate = sparkcnn("evaluate", "--help").out();
        assertTrue(evaluate.contains("Job config whose data.* keys name the dataset") && evaluate.contains("data.path")
                && !evaluate.contains("training.max-epochs"), evaluate);
        String retrain = sparkcnn("retrain", "--help").out();
        assertTrue(retrain.contains("registry.metric") && !retrain.contains("output.path"), retrain);
        String registry = sparkcnn("registry", "--help").out();
        assertTrue(registry.contains("rollback") && registry.contains("--registry=URI"), registry);
    }

    @Test
    void theVersionLineNamesTheSubcommand() {
        for (String job : new String[] {"train", "evaluate", "predict", "retrain", "registry"}) {
            Run r = sparkcnn(job, "--version");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().trim().matches("sparkcnn " + job + " " + JobVersionTest.VERSION), r.out());
        }
        assertTrue(sparkcnn("--version").out().trim().matches("sparkcnn " + JobVersionTest.VERSION));
    }

    @Test
    void badInputExitsTwoWithTheJobsOwnLine() {
        Run predict = sparkcnn("predict", "--model", "/m", "--output", dir.resolve("p").toString());
        assertEquals(2, predict.exit());
        assertEquals("predict: error: name the images: --input URI (folder or image) or --input-list URI", predict.err().trim());
        Run train = sparkcnn("train", "--set", "model.optimizer=adamw", "--output", dir.resolve("run").toString());
        assertEquals(2, train.exit());
        assertTrue(train.err().startsWith("train: error: ") && train.err().contains("model.optimizer"), train.err());
        Run registry = sparkcnn("registry", "--registry", dir.resolve("none").toUri().toString(), "list");
        assertEquals(2, registry.exit());
        assertTrue(registry.err().startsWith("registry: error: ") && registry.err().contains("does not exist"), registry.err());
        assertFalse(Files.exists(dir.resolve("p")) || Files.exists(dir.resolve("run")));
    }

    @Test
    void withoutAJobItPrintsTheJobsAndExitsTwo() {
        Run r = sparkcnn();
        assertEquals(2, r.exit());
        for (String job : new String[] {"train", "evaluate", "predict", "retrain", "registry"}) {
            assertTrue(r.err().contains("  " + job + " "), job + " in:\n" + r.err());
        }
        Run unknown = sparkcnn("bench", "summarize");
        assertEquals(2, unknown.exit(), "the benchmark is not part of the jobs");
        assertTrue(unknown.err().contains("Unmatched argument") && unknown.err().contains("bench"), unknown.err());
    }
}
