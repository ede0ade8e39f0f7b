package io.sparkcnn.driver.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.workers.ImageShape;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes report.json, report.md and report.html (one self-contained file: CSS inline, plots and
 * images as data: URIs, no request leaves it) into a folder on any Hadoop FileSystem. The caller
 * writes into an unfinished folder and renames it into place.
 */
public final class ReportWriter {
    /** The gallery shows this many of the most confident mistakes (fewer if there are fewer). */
    public static final int GALLERY = 32;
    /**
     * With more classes than this, report.html shows the largest confusions as a list instead of the whole matrix
     * and its heat map, and per-class tables the worst rows only (1,000 classes made a 74 MB page); report.json
     * keeps everything.
     */
    public static final int MAX_TABLE_CLASSES = 50;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    /** The report's numbers. */
    public record Report(ReportInput input, ClassificationMetrics metrics, Diagnosis diagnosis) {
        public static Report of(ReportInput in) {
            ClassificationMetrics metrics = ClassificationMetrics.of(in.evaluated().confusion(), in.classNames());
            Diagnosis.Split test = new Diagnosis.Split(in.evaluated().accuracy(), in.loss());
            return new Report(in, metrics, Diagnosis.of(in.train(), in.validation(), test, metrics));
        }
    }

    public static Report write(FileSystem fs, Path folder, ReportInput input) throws IOException {
        Report report = Report.of(input);
        write(fs, new Path(folder, "report.json"), JSON.writeValueAsString(json(report)));
        write(fs, new Path(folder, "report.md"), markdown(report));
        write(fs, new Path(folder, "report.html"), html(report));
        return report;
    }

    static void write(FileSystem fs, Path path, String content) throws IOException {
        try (OutputStream out = fs.create(path, false)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    static Map<String, Object> json(Report r) {
        ReportInput in = r.input();
        ReportStats s = in.evaluated();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", in.title());
        m.put("created", Instant.now().toString());
        m.put("split", in.evaluatedSplit());
        m.put("images", s.count());
        m.put("accuracy", s.accuracy());
        m.put("loss", in.loss());
        m.put("top2_accuracy", s.top2Accuracy());
        m.put("macro_avg", averages(r.metrics().macro()));
        m.put("weighted_avg", averages(r.metrics().weighted()));
        m.put("per_class", perClassRows(r.metrics()));
        Map<String, Object> confusion = new LinkedHashMap<>();
        confusion.put("class_names", in.classNames());
        confusion.put("rows", "true class");
        confusion.put("columns", "predicted class");
        confusion.put("matrix", s.confusion());
        m.put("confusion_matrix", confusion);
        Map<String, Object> splits = new LinkedHashMap<>();
        splits.put("train", split(in.train()));
        splits.put("validation", split(in.validation()));
        splits.put(in.evaluatedSplit(), split(new Diagnosis.Split(s.accuracy(), in.loss())));
        m.put("splits", splits);
        m.put("diagnosis", Map.of("verdict", r.diagnosis().verdict().label(), "text", r.diagnosis().text()));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("source", in.modelSource());
        model.put("fingerprint", in.modelFingerprint());
        m.put("model", model);
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("source", in.datasetSource());
        dataset.put("fingerprint", in.datasetFingerprint());
        m.put("dataset", dataset);
        if (!in.history().isEmpty()) {
            m.put("best_epoch", in.bestEpoch());
            m.put("stopped_epoch", in.stoppedEpoch());
            m.put("stop_reason", in.stopReason());
            m.put("monitor", in.monitor());
        }
        List<Map<String, Object>> mistakes = new ArrayList<>();
        for (ReportStats.Mistake k : s.mistakes()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("image", k.id());
            row.put("true", in.classNames().get(k.label()));
            row.put("predicted", in.classNames().get(k.predicted()));
            row.put("confidence", k.confidence());
            row.put("true_class_probability", k.probabilities()[k.label()]);
            mistakes.add(row);
        }
        m.put("most_confident_mistakes", mistakes);
        m.put("seconds", in.seconds());
        return m;
    }

    /** Precision, recall, F1 and support of each class, in class order, as report.json lists them. */
    static List<Map<String, Object>> perClassRows(ClassificationMetrics metrics) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ClassificationMetrics.PerClass c : metrics.perClass()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("class", c.name());
            row.put("precision", c.precision());
            row.put("recall", c.recall());
            row.put("f1", c.f1());
            row.put("support", c.support());
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, Object> averages(ClassificationMetrics.Averages a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("precision", a.precision());
        m.put("recall", a.recall());
        m.put("f1", a.f1());
        return m;
    }

    private static Map<String, Object> split(Diagnosis.Split s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", Double.isNaN(s.accuracy()) ? null : s.accuracy());
        m.put("loss", Double.isNaN(s.loss()) ? null : s.loss());
        return m;
    }

    static String markdown(Report r) {
        ReportInput in = r.input();
        ReportStats s = in.evaluated();
        StringBuilder md = new StringBuilder();
        md.append("# ").append(MarkdownText.text(in.title())).append("\n\n");
        md.append(String.format(Locale.ROOT, "| %s split | value |%n| --- | --- |%n",
                MarkdownText.text(in.evaluatedSplit())));
        md.append(String.format(Locale.ROOT, "| images | %d |%n| accuracy | %.4f |%n| loss | %.4f |%n| top-2 accuracy | %.4f |%n",
                s.count(), s.accuracy(), in.loss(), s.top2Accuracy()));
        md.append(String.format(Locale.ROOT, "| macro F1 | %.4f |%n| weighted F1 | %.4f |%n%n",
                r.metrics().macro().f1(), r.metrics().weighted().f1()));
        md.append("**Diagnosis:** ").append(MarkdownText.text(r.diagnosis().text())).append("\n\n");
        List<ClassificationMetrics.PerClass> worst = r.metrics().worstFirst();
        md.append("Weakest classes: ");
        for (int i = 0; i < Math.min(3, worst.size()); i++) {
            ClassificationMetrics.PerClass c = worst.get(i);
            md.append(i > 0 ? ", " : "")
                    .append(String.format(Locale.ROOT, "%s (F1 %.3f)", MarkdownText.text(c.name()), c.f1()));
        }
        md.append(".\n\n");
        md.append("Model ").append(MarkdownText.code(in.modelSource())).append(" (")
                .append(MarkdownText.text(in.modelFingerprint())).append("), data ").append(MarkdownText.code(in.datasetSource())).append(" (")
                .append(MarkdownText.text(in.datasetFingerprint())).append(").\n");
        return md.toString();
    }

    static String html(Report r) throws IOException {
        ReportInput in = r.input();
        ReportStats s = in.evaluated();
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                // opened from a cluster's file viewer: the browser may load nothing beyond the file itself
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">\n")
                .append("<title>").append(esc(in.title())).append("</title>\n<style>\n").append(CSS).append("</style></head>\n<body>\n");
        h.append("<header><h1>").append(esc(in.title())).append("</h1><p class=\"sub\">")
                .append(esc(in.evaluatedSplit())).append(" split, ").append(s.count()).append(" images &middot; model ")
                .append(esc(shortFp(in.modelFingerprint()))).append(" &middot; data ").append(esc(shortFp(in.datasetFingerprint())))
                .append("</p></header>\n<main>\n");

        h.append("<section class=\"cards\">");
        card(h, "accuracy", pct(s.accuracy()));
        card(h, "loss", String.format(Locale.ROOT, "%.4f", in.loss()));
        card(h, "top-2 accuracy", pct(s.top2Accuracy()));
        card(h, "macro F1", String.format(Locale.ROOT, "%.4f", r.metrics().macro().f1()));
        card(h, "weighted F1", String.format(Locale.ROOT, "%.4f", r.metrics().weighted().f1()));
        h.append("</section>\n");

        h.append("<section><h2>Diagnosis: ").append(esc(r.diagnosis().verdict().label())).append("</h2><p class=\"diag ")
                .append(r.diagnosis().verdict().name().toLowerCase(Locale.ROOT)).append("\">")
                .append(esc(r.diagnosis().text())).append("</p>\n");
        h.append("<div class=\"scroll\"><table><thead><tr><th>split</th><th>accuracy</th><th>loss</th></tr></thead><tbody>");
        splitRow(h, "train", in.train());
        splitRow(h, "validation", in.validation());
        splitRow(h, in.evaluatedSplit(), new Diagnosis.Split(s.accuracy(), in.loss()));
        h.append("</tbody></table></div></section>\n");

        if (!in.history().isEmpty()) {
            h.append("<section><h2>Learning curves</h2><p>").append(in.history().size()).append(" epochs; best epoch ")
                    .append(in.bestEpoch()).append(" (").append(esc(in.monitor())).append("), stopped after epoch ")
                    .append(in.stoppedEpoch()).append(" (").append(esc(in.stopReason())).append(").</p><div class=\"charts\">");
            img(h, ReportCharts.lossCurves(in.history(), in.bestEpoch(), in.stoppedEpoch()), "training and validation loss per epoch");
            img(h, ReportCharts.accuracyCurve(in.history(), in.bestEpoch(), in.stoppedEpoch()), "validation accuracy per epoch");
            h.append("</div>\n<div class=\"scroll\"><table><thead><tr><th>epoch</th><th>loss</th><th>val_loss</th>")
                    .append("<th>val_accuracy</th><th>seconds</th></tr></thead><tbody>");
            for (EpochRecord e : in.history()) {
                h.append("<tr").append(e.epoch() == in.bestEpoch() ? " class=\"best\"" : "").append("><td>").append(e.epoch())
                        .append(String.format(Locale.ROOT, "</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.1f</td></tr>",
                                e.loss(), e.valLoss(), e.valAccuracy(), e.seconds()));
            }
            h.append("</tbody></table></div></section>\n");
        }

        if (in.classNames().size() <= MAX_TABLE_CLASSES) {
            h.append("<section><h2>Confusion matrix</h2><p>Rows are the true class, columns the prediction; counts,")
                    .append(" shaded by the share of the row.</p>");
            confusionTable(h, s.confusion(), in.classNames());
            h.append("<div class=\"charts\">");
            img(h, ReportCharts.confusionHeatMap(s.confusion(), in.classNames()), "confusion matrix heat map, row-normalised");
            h.append("</div></section>\n");
        } else {
            h.append("<section><h2>Top confusions</h2>");
            confusionTable(h, s.confusion(), in.classNames());
            h.append("</section>\n");
        }

        List<ClassificationMetrics.PerClass> worstFirst = r.metrics().worstFirst();
        h.append("<section><h2>Per class (worst first)</h2>");
        if (worstFirst.size() > MAX_TABLE_CLASSES) {
            h.append("<p>").append(moreClassesNote(MAX_TABLE_CLASSES + " worst", worstFirst.size())).append("</p>");
        }
        h.append("<div class=\"scroll\"><table><thead><tr><th>class</th>")
                .append("<th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead><tbody>");
        for (ClassificationMetrics.PerClass c : worstFirst.subList(0, Math.min(MAX_TABLE_CLASSES, worstFirst.size()))) {
            h.append("<tr><td>").append(esc(c.name())).append(String.format(Locale.ROOT,
                    "</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>", c.precision(), c.recall(), c.f1(), c.support()));
        }
        h.append(String.format(Locale.ROOT, "<tr class=\"avg\"><td>macro avg</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>",
                r.metrics().macro().precision(), r.metrics().macro().recall(), r.metrics().macro().f1(), r.metrics().total()));
        h.append(String.format(Locale.ROOT, "<tr class=\"avg\"><td>weighted avg</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>",
                r.metrics().weighted().precision(), r.metrics().weighted().recall(), r.metrics().weighted().f1(), r.metrics().total()));
        h.append("</tbody></table></div></section>\n");

        List<ReportStats.Mistake> mistakes = s.mistakes();
        h.append("<section><h2>Most confident mistakes</h2><p>").append(Math.min(GALLERY, mistakes.size()))
                .append(" misclassified images, the most confident first.</p><div class=\"gallery\">");
        for (int i = 0; i < Math.min(GALLERY, mistakes.size()); i++) {
            ReportStats.Mistake k = mistakes.get(i);
            h.append("<figure><img alt=\"").append(esc(k.id())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(png(k.pixels(), in.shape()))).append("\"><figcaption>")
                    .append("<b>true:</b> ").append(esc(in.classNames().get(k.label()))).append("<br><b>predicted:</b> ")
                    .append(esc(in.classNames().get(k.predicted()))).append("<br>");
            for (int[] top : top(k.probabilities(), 3)) {
                h.append(String.format(Locale.ROOT, "<span class=\"p\">%s %.1f%%</span><br>",
                        esc(in.classNames().get(top[0])), k.probabilities()[top[0]] * 100));
            }
            h.append("<span class=\"id\">").append(esc(fileName(k.id()))).append("</span></figcaption></figure>");
        }
        h.append("</div></section>\n");
        h.append(String.format(Locale.ROOT, "<footer>Evaluated in %.1f s. Model: %s (%s). Data: %s (%s).</footer>%n",
                in.seconds(), esc(in.modelSource()), esc(in.modelFingerprint()), esc(in.datasetSource()),
                esc(in.datasetFingerprint())));
        h.append("</main></body></html>\n");
        return h.toString();
    }

    /** "The 50 worst of 1000 classes are shown; report.json has every class and the whole confusion matrix." */
    static String moreClassesNote(String shown, int classes) {
        return "The " + shown + " of " + classes + " classes are shown; report.json has every class and the whole"
                + " confusion matrix.";
    }

    /**
     * The confusion matrix as a shaded table; with more than {@link #MAX_TABLE_CLASSES} classes the
     * {@link #MAX_TABLE_CLASSES} largest confusions (true class, predicted class, count, share of the row) instead.
     */
    static void confusionTable(StringBuilder h, long[][] confusion, List<String> names) {
        if (names.size() > MAX_TABLE_CLASSES) {
            topConfusions(h, confusion, names);
            return;
        }
        h.append("<div class=\"scroll\"><table class=\"cm\"><thead><tr><th>true \\ predicted</th>");
        for (String n : names) {
            h.append("<th>").append(esc(n)).append("</th>");
        }
        h.append("</tr></thead><tbody>");
        for (int t = 0; t < names.size(); t++) {
            long row = 0;
            for (long v : confusion[t]) {
                row += v;
            }
            h.append("<tr><th>").append(esc(names.get(t))).append("</th>");
            for (int p = 0; p < names.size(); p++) {
                double share = row == 0 ? 0 : (double) confusion[t][p] / row;
                String fg = share > 0.5 ? "#fff" : "#111";
                h.append(String.format(Locale.ROOT, "<td style=\"background:rgba(8,48,107,%.3f);color:%s\" title=\"%.1f%%\">%d</td>",
                        share, fg, share * 100, confusion[t][p]));
            }
            h.append("</tr>");
        }
        h.append("</tbody></table></div>");
    }

    static void topConfusions(StringBuilder h, long[][] confusion, List<String> names) {
        long[] rows = new long[names.size()];
        java.util.PriorityQueue<long[]> top = new java.util.PriorityQueue<>((a, b) -> Long.compare(a[2], b[2]));
        for (int t = 0; t < names.size(); t++) {
            for (int p = 0; p < names.size(); p++) {
                rows[t] += confusion[t][p];
                if (p != t && confusion[t][p] > 0) {
                    top.add(new long[] {t, p, confusion[t][p]});
                    if (top.size() > MAX_TABLE_CLASSES) {
                        top.poll();
                    }
                }
            }
        }
        List<long[]> cells = new ArrayList<>(top);
        cells.sort((a, b) -> a[2] != b[2] ? Long.compare(b[2], a[2]) : a[0] != b[0] ? Long.compare(a[0], b[0])
                : Long.compare(a[1], b[1]));
        h.append("<p>").append(names.size()).append(" classes are too many for a matrix: the ").append(cells.size())
                .append(" largest confusions (true class predicted as another), most images first; report.json has")
                .append(" the whole confusion matrix.")
                .append("</p><div class=\"scroll\"><table><thead><tr><th>true class</th><th>predicted</th><th>images</th>")
                .append("<th>share of the true class</th></tr></thead><tbody>");
        for (long[] c : cells) {
            int t = (int) c[0];
            h.append("<tr><td>").append(esc(names.get(t))).append("</td><td>").append(esc(names.get((int) c[1])))
                    .append(String.format(Locale.ROOT, "</td><td>%d</td><td>%.1f%%</td></tr>", c[2],
                            rows[t] == 0 ? 0 : 100.0 * c[2] / rows[t]));
        }
        h.append("</tbody></table></div>");
    }

    /** An image's pixels (C, H, W bytes) as a PNG, scaled up for the gallery (nearest neighbour). */
    static byte[] png(byte[] pixels, ImageShape shape) throws IOException {
        int w = shape.width();
        int hgt = shape.height();
        int scale = Math.max(1, 112 / Math.max(w, hgt));
        BufferedImage img = new BufferedImage(w * scale, hgt * scale, BufferedImage.TYPE_INT_RGB);
        int plane = w * hgt;
        for (int y = 0; y < hgt * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int p = (y / scale) * w + (x / scale);
                int r = pixels[p] & 0xFF;
                int g = shape.channels() == 3 ? pixels[plane + p] & 0xFF : r;
                int b = shape.channels() == 3 ? pixels[2 * plane + p] & 0xFF : r;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static List<int[]> top(float[] probs, int k) {
        List<int[]> idx = new ArrayList<>();
        for (int i = 0; i < probs.length; i++) {
            idx.add(new int[] {i});
        }
        idx.sort((a, b) -> Float.compare(probs[b[0]], probs[a[0]]));
        return idx.subList(0, Math.min(k, idx.size()));
    }

    static void card(StringBuilder h, String label, String value) {
        h.append("<div class=\"card\"><div class=\"v\">").append(value).append("</div><div class=\"l\">")
                .append(label).append("</div></div>");
    }

    private static void splitRow(StringBuilder h, String name, Diagnosis.Split s) {
        h.append("<tr><td>").append(esc(name)).append("</td><td>").append(Diagnosis.pct(s.accuracy())).append("</td><td>")
                .append(Diagnosis.num(s.loss())).append("</td></tr>");
    }

    private static void img(StringBuilder h, byte[] png, String alt) {
        h.append("<img class=\"chart\" alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">");
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", v * 100);
    }

    static String shortFp(String fp) {
        return fp == null ? "unknown" : fp.length() > 19 ? fp.substring(0, 19) + "…" : fp;
    }

    private static String fileName(String id) {
        int slash = id.lastIndexOf('/');
        return slash >= 0 ? id.substring(slash + 1) : id;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Inline styles and data: images only; no script, font, frame or network request. */
    public static final String CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

    static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1b1b1b;background:#fafafa;line-height:1.45}
            header{background:#0d3b66;color:#fff;padding:16px 20px;overflow-wrap:anywhere}p,footer,figcaption{overflow-wrap:anywhere}header h1{margin:0;font-size:1.4rem}.sub{margin:4px 0 0;opacity:.85;font-size:.9rem}
            main{max-width:1200px;margin:0 auto;padding:12px 16px}section{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:12px 16px;margin:14px 0}
            h2{font-size:1.15rem;margin:4px 0 10px}.cards{display:flex;flex-wrap:wrap;gap:10px;background:none;border:none;padding:0}
            .card{flex:1 1 110px;background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:10px 14px}.card .v{font-size:1.5rem;font-weight:600}.card .l{color:#555;font-size:.85rem}
            .scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9rem;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}
            th:first-child,td:first-child{text-align:left}tr.best{background:#e8f5e9}tr.avg{font-weight:600;background:#f3f3f3}
            .cm td{min-width:3em;text-align:center}.charts{display:flex;flex-wrap:wrap;gap:10px}img.chart{max-width:100%;min-width:0;height:auto;flex:1 1 420px;object-fit:contain}
            .diag{padding:8px 12px;border-radius:6px}.diag.healthy{background:#e8f5e9}.diag.overfitting{background:#fff3e0}.diag.underfitting{background:#ffebee}
            .gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:10px}figure{margin:0;border:1px solid #e3e3e3;border-radius:6px;padding:6px;font-size:.8rem;background:#fff}
            figure img{width:100%;height:auto;image-rendering:pixelated;display:block}.p{color:#333}.id{color:#777;word-break:break-all}
            footer{color:#666;font-size:.8rem;margin:16px 0}
            """;
}
