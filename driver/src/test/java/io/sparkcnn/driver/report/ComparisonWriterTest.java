package io.sparkcnn.driver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.eval.EvaluationStats;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Challenger and champion side by side, with deltas worked out by hand on scripted predictions. */
class ComparisonWriterTest {
    static final List<String> CLASSES = List.of("boot", "coat", "shirt");

    @TempDir
    java.nio.file.Path tmp;

    /** Predictions as (true, predicted) pairs, each with probability 0.8 on the prediction. */
    private static EvaluationStats stats(int[][] pairs) {
        EvaluationStats s = new EvaluationStats(3, 0);
        for (int[] p : pairs) {
            float[] probs = {0.1f, 0.1f, 0.1f};
            probs[p[1]] = 0.8f;
            s.add("img", p[0], probs, new byte[0]);
        }
        return s;
    }

    @Test
    void deltasPerMetricAndPerClassWorstRegressionFirst() throws Exception {
        // champion: 4 of 6 right; shirt never right
        EvaluationStats champion = stats(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}, {2, 1}, {2, 0}});
        // challenger: 5 of 6 right; one coat now taken for a shirt
        EvaluationStats challenger = stats(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 2}, {2, 2}, {2, 2}});
        var c = new ComparisonWriter.Comparison("Retrain r2: challenger vs champion r1", CLASSES, List.of("hdfs:///holdout"),
                "sha256:h", new ComparisonWriter.Side("challenger", "r2", "sha256:b", challenger),
                new ComparisonWriter.Side("champion", "r1", "sha256:a", champion), "accuracy", 0.01, 0.5, true, "better");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        ComparisonWriter.write(fs, new Path(tmp.toUri()), c);
        JsonNode j = new ObjectMapper().readTree(tmp.resolve("report.json").toFile());
        assertEquals(4.0 / 6, j.at("/champion/accuracy").asDouble(), 1e-12);
        assertEquals(5.0 / 6, j.at("/challenger/accuracy").asDouble(), 1e-12);
        assertEquals(1.0 / 6, j.at("/delta/accuracy").asDouble(), 1e-12);
        // per-class F1 by hand. champion: boot P 2/3 R 1 -> 0.8; coat P 2/3 R 1 -> 0.8; shirt 0.
        // challenger: boot 1; coat P 1 R 1/2 -> 2/3; shirt P 2/3 R 1 -> 0.8
        JsonNode perClass = j.get("per_class_f1");
        assertEquals("coat", perClass.get(0).get("class").asText(), "largest regression first");
        assertEquals(2.0 / 3 - 0.8, perClass.get(0).get("delta_f1").asDouble(), 1e-12);
        assertEquals("shirt", perClass.get(2).get("class").asText());
        assertEquals(0.8, perClass.get(2).get("delta_f1").asDouble(), 1e-12);
        assertEquals(0.2, perClass.get(1).get("delta_f1").asDouble(), 1e-12);
        assertEquals((1 + 2.0 / 3 + 0.8) / 3 - 1.6 / 3, j.at("/delta/macro_f1").asDouble(), 1e-12);
        assertEquals(2, j.at("/champion/confusion_matrix/matrix/2/0").asInt() + j.at("/champion/confusion_matrix/matrix/2/1").asInt());
        assertEquals("promoted", j.get("decision").asText());

        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.contains(ReportWriter.CSP));
        assertTrue(html.contains("champion r1") && html.contains("challenger r2"));
        assertEquals(2, html.split("<table class=\"cm\">", -1).length - 1, "both confusion matrices");
        assertFalse(html.contains("http://") || html.contains("https://"), "nothing to load");
        String md = Files.readString(tmp.resolve("report.md"));
        assertTrue(md.contains("| accuracy | 0.6667 | 0.8333 | +0.1667 |") && md.contains("coat -0.133 (worst)"), md);
    }

    @Test
    void withoutAChampionOnlyTheChallengerIsShown() throws Exception {
        EvaluationStats challenger = stats(new int[][] {{0, 0}, {1, 1}, {2, 2}});
        var c = new ComparisonWriter.Comparison("Retrain r1", CLASSES, List.of("hdfs:///holdout"), "sha256:h",
                new ComparisonWriter.Side("challenger", "r1", "sha256:b", challenger), null, "accuracy", 0.01, 0.5, true,
                "no champion yet");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        ComparisonWriter.write(fs, new Path(tmp.toUri()), c);
        JsonNode j = new ObjectMapper().readTree(tmp.resolve("report.json").toFile());
        assertTrue(j.get("champion").isNull());
        assertFalse(j.has("delta"));
        assertEquals(1, Files.readString(tmp.resolve("report.html")).split("<table class=\"cm\">", -1).length - 1);
    }
}
