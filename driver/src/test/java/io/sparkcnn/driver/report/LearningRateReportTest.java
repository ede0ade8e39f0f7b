package io.sparkcnn.driver.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.workers.ImageShape;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The learning rate of each epoch in report.json, report.md and report.html, and histories without it. */
class LearningRateReportTest {
    @TempDir
    java.nio.file.Path tmp;

    private static EvaluationStats stats() {
        EvaluationStats s = new EvaluationStats(2, 0);
        for (int i = 0; i < 10; i++) {
            s.add("img", i % 2, i % 2 == 0 ? new float[] {0.8f, 0.2f} : new float[] {0.3f, 0.7f}, new byte[0]);
        }
        return s;
    }

    private static List<EpochRecord> history(double... rates) {
        List<EpochRecord> h = new ArrayList<>();
        for (int e = 1; e <= rates.length; e++) {
            h.add(new EpochRecord(e, 1.0 / e, 1.2 / e, 0.5 + e / 100.0, 1, 100, 10, true, rates[e - 1]));
        }
        return h;
    }

    private java.nio.file.Path report(List<EpochRecord> history, String name) throws Exception {
        java.nio.file.Path folder = Files.createDirectories(tmp.resolve(name));
        ReportWriter.write(FileSystem.getLocal(new Configuration()), new Path(folder.toUri()), new ReportInput("Evaluation",
                List.of("cat", "dog"), new ImageShape(1, 4, 4), stats(), "test", new Diagnosis.Split(0.95, 0.2),
                new Diagnosis.Split(0.94, 0.22), history, history.size(), history.size(), "max_epochs", "val_loss",
                "file:/m/model.zip", "sha256:a", "file:/data", "sha256:b", 1.0, 0.0));
        return folder;
    }

    @Test
    void aScheduledRunShowsItsRatesEverywhere() throws Exception {
        java.nio.file.Path folder = report(history(4e-4, 5.2e-3, 1e-2, 4e-8), "scheduled");
        JsonNode json = new ObjectMapper().readTree(folder.resolve("report.json").toFile());
        assertEquals(4, json.get("learning_rates").size());
        assertEquals(5.2e-3, json.at("/learning_rates/1").asDouble(), 0.0);
        String md = Files.readString(folder.resolve("report.md"));
        assertTrue(md.contains("Learning rate: 4.0e-04 in epoch 1, 4.0e-08 in epoch 4 (last); highest 1.0e-02 in epoch 3,"
                + " lowest 4.0e-08 in epoch 4."), md);
        String html = Files.readString(folder.resolve("report.html"));
        assertTrue(html.contains("alt=\"learning rate per epoch\""), "the chart is drawn");
        assertTrue(html.contains("<th>learning_rate</th>") && html.contains("<td>5.2e-03</td>"));
    }

    @Test
    void aConstantRateIsOneSentenceAndNoChart() throws Exception {
        java.nio.file.Path folder = report(history(1e-3, 1e-3, 1e-3), "constant");
        assertTrue(Files.readString(folder.resolve("report.md")).contains("Learning rate: 1.0e-03 throughout."));
        assertFalse(Files.readString(folder.resolve("report.html")).contains("alt=\"learning rate per epoch\""));
    }

    @Test
    void aHistoryWithoutRatesStillReports() throws Exception {
        java.nio.file.Path folder = report(history(Double.NaN, Double.NaN), "unknown");
        JsonNode json = new ObjectMapper().readTree(folder.resolve("report.json").toFile());
        assertTrue(json.at("/learning_rates/0").isNull());
        assertFalse(Files.readString(folder.resolve("report.md")).contains("Learning rate"));
        String html = Files.readString(folder.resolve("report.html"));
        assertFalse(html.contains("alt=\"learning rate per epoch\""));
        assertTrue(html.contains("<td>-</td>"), "an unknown rate in the epoch table");
        assertFalse(ReportCharts.ratesVary(history(Double.NaN, 1e-3)), "one known rate does not vary");
    }
}
