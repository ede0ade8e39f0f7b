package io.sparkcnn.driver.report;

import io.sparkcnn.driver.eval.Evaluation;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.workers.ImageShape;
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

/** Class folder names carrying HTML, links and formulas end up as inert text in report.md and report.html. */
class HostileClassNamesTest {
    static final String FORMULA = "=HYPERLINK(\"http://x\",\"y\")";
    static final String HTML_AND_LINK = "<img src=x onerror=alert(1)>[a](javascript:alert(1))";
    static final String ESCAPED_HTML_AND_LINK = "&lt;img src=x onerror=alert\\(1\\)&gt;\\[a\\]\\(javascript:alert\\(1\\)\\)";
    static final List<String> CLASSES = List.of(FORMULA, HTML_AND_LINK, "plain");

    @TempDir
    java.nio.file.Path tmp;

    private static EvaluationStats stats(int[][] pairs) {
        EvaluationStats s = new EvaluationStats(3, 0);
        for (int[] p : pairs) {
            float[] probs = {0.1f, 0.1f, 0.1f};
            probs[p[1]] = 0.8f;
            s.add("img", p[0], probs, new byte[0]);
        }
        return s;
    }

    private static void assertInertMarkdown(String md) {
        assertFalse(md.contains("<img") || md.contains("](javascript") || md.contains("[a]"), md);
        assertTrue(md.contains(ESCAPED_HTML_AND_LINK), md);
    }

    private static void assertEscapedHtml(String html) {
        assertFalse(html.contains("<img src=x") || html.contains("href=\"javascript"), "raw HTML in the page");
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;[a](javascript:alert(1))"), "class name shown as text");
    }

    @Test
    void evaluationReport() throws Exception {
        ReportInput input = new ReportInput("Evaluation of <b>run</b>", CLASSES, new ImageShape(1, 4, 4),
                stats(new int[][] {{0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 2}, {2, 2}}), "test", ReportInput.UNKNOWN,
                ReportInput.UNKNOWN, List.of(), -1, -1, "early_stopping", "val_loss", "file:/models/`x`/model.zip",
                "sha256:a", "file:/data/<i>x</i>", "sha256:b", 1.0, 0.0);
        ReportWriter.write(FileSystem.getLocal(new Configuration()), new Path(tmp.toUri()), input);
        String md = Files.readString(tmp.resolve("report.md"));
        assertInertMarkdown(md);
        assertTrue(md.contains("=HYPERLINK\\(\"http://x\",\"y\"\\)"), md); // all three are the weakest classes
        assertTrue(md.startsWith("# Evaluation of &lt;b&gt;run&lt;/b&gt;\n"), md);
        // paths stay verbatim inside code spans, fenced so their own backticks cannot close them
        assertTrue(md.contains("Model ``file:/models/`x`/model.zip`` (sha256:a), data `file:/data/<i>x</i>`"),
                md);
        assertEscapedHtml(Files.readString(tmp.resolve("report.html")));
    }

    @Test
    void retrainComparison() throws Exception {
        EvaluationStats champion = stats(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}, {2, 1}, {2, 0}});
        EvaluationStats challenger = stats(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 2}, {2, 2}, {2, 2}});
        var c = new ComparisonWriter.Comparison("Retrain r2", CLASSES, List.of("hdfs:///holdout"), "sha256:h",
                new ComparisonWriter.Side("challenger", "r2", "sha256:b", challenger),
                new ComparisonWriter.Side("champion", "r1", "sha256:a", champion), "accuracy", 0.01, 0.5, true, "better");
        ComparisonWriter.write(FileSystem.getLocal(new Configuration()), new Path(tmp.toUri()), c);
        String md = Files.readString(tmp.resolve("report.md"));
        assertInertMarkdown(md);
        assertEscapedHtml(Files.readString(tmp.resolve("report.html")));
    }

    @Test
    void markdownTextAndCodeSpans() {
        assertEquals("a\\*b\\_c \\| d &amp; \\`e\\` \\!\\[x\\]\\(y\\)", MarkdownText.text("a*b_c\n| d & `e` ![x](y)"));
        assertEquals("`plain`", MarkdownText.code("plain"));
        assertEquals("`` `tick` ``", MarkdownText.code("`tick`"));
    }
}
