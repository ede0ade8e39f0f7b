package io.sparkcnn.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The evaluate and predict entry points' own argument errors: exit 2, one clear line, nothing written. */
class InferenceJobsTest {
    @TempDir
    Path dir;

    record Run(int exit, String err) {
    }

    static Run evaluate(String... args) {
        StringWriter err = new StringWriter();
        var cl = EvaluateJob.commandLine(new EvaluateJob());
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), err.toString());
    }

    static Run predict(String... args) {
        StringWriter err = new StringWriter();
        var cl = PredictJob.commandLine(new PredictJob());
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), err.toString());
    }

    @Test
    void evaluateRejectsKeysItDoesNotReadAndUnknownSplits() {
        String out = dir.resolve("report").toString();
        Run r = evaluate("--model", "/m", "--set", "training.max-epochs=3", "--output", out);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("evaluate reads only data.* keys") && r.err().contains("training.max-epochs"), r.err());
        r = evaluate("--model", "/m", "--split", "validation", "--output", out);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--split must be all or test, got 'validation'"), r.err());
        r = evaluate("--model", "/m", "--set", "data.format=image-folder", "--output", out);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("data.path"), r.err());
        assertFalse(Files.exists(dir.resolve("report")));
    }

    @Test
    void predictNeedsInputsAndAWholeShape() {
        String out = dir.resolve("predictions").toString();
        Run r = predict("--model", "/m", "--output", out);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--input"), r.err());
        r = predict("--model", "/m", "--input", "/x", "--height", "28", "--output", out);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--height, --width and --channels go together"), r.err());
        r = predict("--model", "/m", "--input", "/x", "--height", "28", "--width", "28", "--channels", "cmyk", "--output", out);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--channels must be gray or rgb, got 'cmyk'"), r.err());
        assertFalse(Files.exists(dir.resolve("predictions")));
    }

    @Test
    void helpListsTheOptionsAndTheDataKeys() {
        StringWriter out = new StringWriter();
        var cl = EvaluateJob.commandLine(new EvaluateJob());
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--help"));
        assertTrue(out.toString().contains("--model") && out.toString().contains("data.path")
                && !out.toString().contains("training.max-epochs"), out.toString());
    }
}
