package io.sparkcnn.driver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.eval.Evaluation;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.workers.ImageShape;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Evaluation of many classes stay readable and small; a strong class imbalance is named in the diagnosis. */
class ManyClassesReportTest {
    @TempDir
    java.nio.file.Path tmp;

    /** {@code perClass[c]} images of class c; the first {@code wrong[c]} of them predicted as class (c + 1) % n. */
    private static EvaluationStats stats(int[] perClass, int[] wrong) {
        int n = perClass.length;
        EvaluationStats s = new EvaluationStats(n, 0);
        for (int c = 0; c < n; c++) {
            for (int i = 0; i < perClass[c]; i++) {
                float[] p = new float[n];
                java.util.Arrays.fill(p, 0.1f / n);
                p[i < wrong[c] ? (c + 1) % n : c] = 0.9f;
                s.add("img", c, p, new byte[0]);
            }
        }
        return s;
    }

    private static ReportInput input(List<String> names, EvaluationStats stats) {
        return new ReportInput("Evaluation", names, new ImageShape(1, 4, 4), stats, "test",
                new Diagnosis.Split(0.95, 0.2), new Diagnosis.Split(0.94, 0.22), List.of(), -1, -1, "early_stopping",
                "val_loss", "file:/m/model.zip", "sha256:a", "file:/data", "sha256:b", 1.0, 0.0);
    }

    @Test
    void aHundredFoldImbalanceIsNamedWithTheMinorityClassesAndTheirRecall() throws Exception {
        List<String> names = List.of("cat", "dog", "ferret", "lynx");
        EvaluationStats s = stats(new int[] {1000, 400, 10, 80}, new int[] {5, 4, 7, 2});
        ReportWriter.write(FileSystem.getLocal(new Configuration()), new Path(tmp.toUri()), input(names, s));
        String md = Files.readString(tmp.resolve("report.md"));
        String expected = "Class imbalance: the largest class, cat (1000 images in this split, which is stratified like"
                + " the training split), has 100x the images of the smallest, ferret (10). Classes with a tenth or less of"
                + " the largest: ferret (10 images, recall 30.00%), lynx (80 images, recall 97.50%).";
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("report.json").toFile());
        assertTrue(json.at("/diagnosis/text").asText().contains(expected), json.at("/diagnosis/text").asText());
        assertTrue(md.contains("Class imbalance: the largest class, cat"), md);
        assertTrue(Files.readString(tmp.resolve("report.html")).contains(expected));

        EvaluationStats balanced = stats(new int[] {100, 90, 11, 80}, new int[] {1, 1, 1, 1});
        assertFalse(ReportWriter.Report.of(input(names, balanced)).diagnosis().text().contains("imbalance"),
                "9x is below the 10x threshold");
    }

    @Test
    void aThousandClassesGiveTopConfusionsAndTheWorstFiftyButKeepEverythingInJson() throws Exception {
        int n = 1000;
        List<String> names = new ArrayList<>(IntStream.range(0, n).mapToObj(i -> String.format("class-%04d", i)).toList());
        int[] per = new int[n];
        int[] wrong = new int[n];
        for (int c = 0; c < n; c++) {
            per[c] = 10;
            wrong[c] = c % 7;
        }
        ReportWriter.write(FileSystem.getLocal(new Configuration()), new Path(tmp.toUri()), input(names, stats(per, wrong)));
        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.length() < 200_000, "report.html is " + html.length() + " characters");
        assertFalse(html.contains("<table class=\"cm\">") || html.contains("confusion matrix heat map"), "no full matrix");
        assertTrue(html.contains("<h2>Top confusions</h2><p>1000 classes are too many for a matrix: the 50 largest"
                + " confusions"), html.substring(0, 2000));
        assertTrue(html.contains("<td>class-0006</td><td>class-0007</td><td>6</td><td>60.0%</td>"), "largest first");
        assertTrue(html.contains("The 50 worst of 1000 classes are shown; report.json has every class and the whole"
                + " confusion matrix."));
        assertEquals(50, html.split("</td><td>0\\.4000</td>", -1).length - 1, "50 per-class rows, worst recall 0.4");
        assertTrue(Files.size(tmp.resolve("report.md")) < 20_000);
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("report.json").toFile());
        assertEquals(n, json.get("per_class").size());
        assertEquals(n, json.at("/confusion_matrix/matrix").size());
    }
}
