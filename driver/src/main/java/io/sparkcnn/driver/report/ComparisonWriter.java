package io.sparkcnn.driver.report;

import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.eval.EvaluationStats;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The retrain job's comparison report: challenger and champion scored on the same holdout, side by side
 * (headline metrics with deltas, per-class F1 with deltas, both confusion matrices) and the promotion
 * decision. Written as report.json, report.md and report.html in the format of {@link ReportWriter}
 * (one self-contained HTML file under the same Content-Security-Policy).
 */
public final class ComparisonWriter {
    private ComparisonWriter() {
    }

    /** One model's side: its run, model fingerprint and holdout results. */
    public record Side(String label, String run, String modelFingerprint, EvaluationStats stats) {
        ClassificationMetrics metrics(List<String> classNames) {
            return ClassificationMetrics.of(stats.confusion(), classNames);
        }
    }

    /**
     * What the comparison shows. {@code champion} is null when there was none. {@code metric} names the
     * deciding metric; {@code promoted} and {@code reason} are the decision.
     */
    public record Comparison(String title, List<String> classNames, List<String> holdoutSources,
                             String holdoutFingerprint, Side challenger, Side champion, String metric,
                             double minImprovement, double floor, boolean promoted, String reason) {
    }

    public static void write(FileSystem fs, Path folder, Comparison c) throws IOException {
        ReportWriter.write(fs, new Path(folder, "report.json"), JsonFormat.write(JsonFormat.stamped(json(c))));
        ReportWriter.write(fs, new Path(folder, "report.md"), markdown(c));
        ReportWriter.write(fs, new Path(folder, "report.html"), html(c));
    }

    /** Headline figures of one side, by the names registry.metric uses. */
    public static Map<String, Object> figures(Side s, List<String> classNames) {
        ClassificationMetrics m = s.metrics(classNames);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("accuracy", s.stats().accuracy());
        f.put("macro_f1", m.macro().f1());
        f.put("weighted_f1", m.weighted().f1());
        f.put("loss", s.stats().meanLoss());
        f.put("top2_accuracy", s.stats().top2Accuracy());
        return f;
    }

    static Map<String, Object> json(Comparison c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", c.title());
        m.put("created", Instant.now().toString());
        m.put("split", "holdout");
        m.put("holdout", Map.of("sources", c.holdoutSources(), "fingerprint", c.holdoutFingerprint(),
                "images", c.challenger().stats().count()));
        m.put("decision", c.promoted() ? "promoted" : "kept champion");
        m.put("reason", c.reason());
        m.put("metric", c.metric());
        m.put("min_improvement", c.minImprovement());
        m.put("floor", c.floor());
        m.put("challenger", side(c.challenger(), c.classNames()));
        m.put("champion", c.champion() == null ? null : side(c.champion(), c.classNames()));
        if (c.champion() != null) {
            Map<String, Object> delta = new LinkedHashMap<>();
            Map<String, Object> ch = figures(c.challenger(), c.classNames());
            Map<String, Object> cp = figures(c.champion(), c.classNames());
            ch.forEach((k, v) -> delta.put(k, (Double) v - (Double) cp.get(k)));
            m.put("delta", delta);
            List<Map<String, Object>> perClass = new ArrayList<>();
            for (ClassDelta d : classDeltas(c)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("class", d.name());
                row.put("champion_f1", d.champion());
                row.put("challenger_f1", d.challenger());
                row.put("delta_f1", d.delta());
                perClass.add(row);
            }
            m.put("per_class_f1", perClass);
        }
        return m;
    }

    private static Map<String, Object> side(Side s, List<String> classNames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", s.run());
        m.put("model_fingerprint", s.modelFingerprint());
        m.put("images", s.stats().count());
        m.putAll(figures(s, classNames));
        m.put("per_class", ReportJson.perClassRows(s.metrics(classNames)));
        m.put("confusion_matrix", Map.of("class_names", classNames, "rows", "true class", "columns", "predicted class",
                "matrix", s.stats().confusion()));
        return m;
    }

    /** Per-class F1 of both sides, the largest regression first. */
    record ClassDelta(String name, double champion, double challenger) {
        double delta() {
            return challenger - champion;
        }
    }

    static List<ClassDelta> classDeltas(Comparison c) {
        List<ClassificationMetrics.PerClass> ch = c.challenger().metrics(c.classNames()).perClass();
        List<ClassificationMetrics.PerClass> cp = c.champion().metrics(c.classNames()).perClass();
        List<ClassDelta> rows = new ArrayList<>();
        for (int i = 0; i < ch.size(); i++) {
            rows.add(new ClassDelta(ch.get(i).name(), cp.get(i).f1(), ch.get(i).f1()));
        }
        rows.sort(Comparator.comparingDouble(ClassDelta::delta).thenComparing(ClassDelta::name));
        return rows;
    }

    static String markdown(Comparison c) {
        StringBuilder md = new StringBuilder("# ").append(MarkdownText.text(c.title())).append("\n\n");
        md.append("**Decision:** ").append(c.promoted() ? "promoted" : "kept the champion").append(": ")
                .append(MarkdownText.text(c.reason())).append("\n\n");
        Map<String, Object> ch = figures(c.challenger(), c.classNames());
        if (c.champion() == null) {
            md.append("| holdout | challenger ").append(MarkdownText.text(c.challenger().run()))
                    .append(" |\n| --- | --- |\n");
            ch.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.4f |%n", k, (Double) v)));
        } else {
            Map<String, Object> cp = figures(c.champion(), c.classNames());
            md.append("| holdout | champion ").append(MarkdownText.text(c.champion().run())).append(" | challenger ")
                    .append(MarkdownText.text(c.challenger().run()))
                    .append(" | delta |\n| --- | --- | --- | --- |\n");
            ch.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %+.4f |%n", k,
                    (Double) cp.get(k), (Double) v, (Double) v - (Double) cp.get(k))));
            md.append("\nLargest per-class F1 changes: ");
            List<ClassDelta> deltas = classDeltas(c);
            ClassDelta worst = deltas.get(0);
            ClassDelta best = deltas.get(deltas.size() - 1);
            md.append(String.format(Locale.ROOT, "%s %+.3f (worst), %s %+.3f (best).%n", MarkdownText.text(worst.name()),
                    worst.delta(), MarkdownText.text(best.name()), best.delta()));
        }
        md.append("\nHoldout ").append(MarkdownText.code(String.join(", ", c.holdoutSources()))).append(" (")
                .append(MarkdownText.text(c.holdoutFingerprint()))
                .append("), ").append(c.challenger().stats().count()).append(" images.\n");
        return md.toString();
    }

    static String html(Comparison c) {
        String esc = ReportHtml.esc(c.title());
        StringBuilder h = new StringBuilder(32 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(ReportHtml.CSP).append("\">\n")
                .append("<title>").append(esc).append("</title>\n<style>\n").append(ReportHtml.CSS)
                .append(".up{color:#1b5e20}.down{color:#b71c1c}.pair>div{margin:0 0 14px}\n")
                .append("</style></head>\n<body>\n<header><h1>").append(esc).append("</h1><p class=\"sub\">holdout, ")
                .append(c.challenger().stats().count()).append(" images &middot; ").append(ReportHtml.esc(
                        ReportHtml.shortFp(c.holdoutFingerprint()))).append("</p></header>\n<main>\n");
        h.append("<section><h2>Decision: ").append(c.promoted() ? "promoted" : "kept the champion")
                .append("</h2><p class=\"diag ").append(c.promoted() ? "healthy" : "overfitting").append("\">")
                .append(ReportHtml.esc(c.reason())).append("</p></section>\n");

        Map<String, Object> ch = figures(c.challenger(), c.classNames());
        Map<String, Object> cp = c.champion() == null ? null : figures(c.champion(), c.classNames());
        h.append("<section><h2>Side by side</h2><div class=\"scroll\"><table><thead><tr><th>holdout</th>");
        if (cp != null) {
            h.append("<th>champion ").append(ReportHtml.esc(c.champion().run())).append("</th>");
        }
        h.append("<th>challenger ").append(ReportHtml.esc(c.challenger().run())).append("</th>");
        h.append(cp != null ? "<th>delta</th>" : "").append("</tr></thead><tbody>");
        for (Map.Entry<String, Object> e : ch.entrySet()) {
            double v = (Double) e.getValue();
            h.append("<tr").append(e.getKey().equals(c.metric()) ? " class=\"best\"" : "").append("><td>")
                    .append(e.getKey()).append("</td>");
            if (cp != null) {
                h.append(String.format(Locale.ROOT, "<td>%.4f</td>", (Double) cp.get(e.getKey())));
            }
            h.append(String.format(Locale.ROOT, "<td>%.4f</td>", v));
            if (cp != null) {
                double d = v - (Double) cp.get(e.getKey());
                boolean better = e.getKey().equals("loss") ? d < 0 : d > 0;
                h.append(String.format(Locale.ROOT, "<td class=\"%s\">%+.4f</td>", d == 0 ? "" : better ? "up" : "down", d));
            }
            h.append("</tr>");
        }
        h.append("</tbody></table></div><p>Deciding metric: ").append(ReportHtml.esc(c.metric()))
                .append(String.format(Locale.ROOT, "; required improvement %.4f; floor %.4f.</p></section>%n",
                        c.minImprovement(), c.floor()));

        if (cp != null) {
            List<ClassDelta> deltas = classDeltas(c);
            h.append("<section><h2>Per-class F1 (largest regression first)</h2>");
            if (deltas.size() > ReportWriter.MAX_TABLE_CLASSES) {
                h.append("<p>").append(ReportHtml.moreClassesNote(ReportWriter.MAX_TABLE_CLASSES + " largest regressions",
                        deltas.size())).append("</p>");
            }
            h.append("<div class=\"scroll\"><table><thead><tr>")
                    .append("<th>class</th><th>champion</th><th>challenger</th><th>delta</th></tr></thead><tbody>");
            for (ClassDelta d : deltas.subList(0, Math.min(ReportWriter.MAX_TABLE_CLASSES, deltas.size()))) {
                h.append("<tr><td>").append(ReportHtml.esc(d.name())).append(String.format(Locale.ROOT,
                        "</td><td>%.4f</td><td>%.4f</td><td class=\"%s\">%+.4f</td></tr>", d.champion(), d.challenger(),
                        d.delta() > 0 ? "up" : d.delta() < 0 ? "down" : "", d.delta()));
            }
            h.append("</tbody></table></div></section>\n");
        }
        h.append("<section><h2>Confusion matrices</h2><p>Rows are the true class, columns the prediction; counts,")
                .append(" shaded by the share of the row.</p><div class=\"pair\">");
        if (c.champion() != null) {
            h.append("<div><h3>champion ").append(ReportHtml.esc(c.champion().run())).append("</h3>");
            ReportHtml.confusionTable(h, c.champion().stats().confusion(), c.classNames());
            h.append("</div>");
        }
        h.append("<div><h3>challenger ").append(ReportHtml.esc(c.challenger().run())).append("</h3>");
        ReportHtml.confusionTable(h, c.challenger().stats().confusion(), c.classNames());
        h.append("</div></div></section>\n");
        h.append("<footer>Holdout: ").append(ReportHtml.esc(String.join(", ", c.holdoutSources()))).append(" (")
                .append(ReportHtml.esc(c.holdoutFingerprint())).append("). Challenger model ")
                .append(ReportHtml.esc(c.challenger().modelFingerprint()));
        if (c.champion() != null) {
            h.append(", champion model ").append(ReportHtml.esc(c.champion().modelFingerprint()));
        }
        h.append(".</footer>\n</main></body></html>\n");
        return h.toString();
    }
}
