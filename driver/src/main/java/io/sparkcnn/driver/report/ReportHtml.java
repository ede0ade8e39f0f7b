package io.sparkcnn.driver.report;

import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.train.EpochRecord;
import io.sparkcnn.workers.ImageShape;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * report.html: one self-contained file (CSS inline, plots and images as data: URIs under a Content-Security-Policy
 * that allows nothing else, so no request leaves it); also the HTML pieces the retrain comparison reuses.
 */
final class ReportHtml {
    private ReportHtml() {
    }


    static String html(ReportWriter.Report r) throws IOException {
        ReportInput in = r.input();
        EvaluationStats s = in.evaluated();
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
            if (ReportCharts.ratesVary(in.history())) {
                img(h, ReportCharts.learningRateCurve(in.history(), in.bestEpoch(), in.stoppedEpoch()),
                        "learning rate per epoch");
            }
            h.append("</div>\n<div class=\"scroll\"><table><thead><tr><th>epoch</th><th>loss</th><th>val_loss</th>")
                    .append("<th>val_accuracy</th><th>learning_rate</th><th>seconds</th></tr></thead><tbody>");
            for (EpochRecord e : in.history()) {
                h.append("<tr").append(e.epoch() == in.bestEpoch() ? " class=\"best\"" : "").append("><td>").append(e.epoch())
                        .append(String.format(Locale.ROOT, "</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%s</td><td>%.1f</td></tr>",
                                e.loss(), e.valLoss(), e.valAccuracy(), ReportMarkdown.rate(e.learningRate()), e.seconds()));
            }
            h.append("</tbody></table></div></section>\n");
        }

        if (in.classNames().size() <= ReportWriter.MAX_TABLE_CLASSES) {
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
        if (worstFirst.size() > ReportWriter.MAX_TABLE_CLASSES) {
            h.append("<p>").append(moreClassesNote(ReportWriter.MAX_TABLE_CLASSES + " worst", worstFirst.size())).append("</p>");
        }
        h.append("<div class=\"scroll\"><table><thead><tr><th>class</th>")
                .append("<th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead><tbody>");
        for (ClassificationMetrics.PerClass c : worstFirst.subList(0, Math.min(ReportWriter.MAX_TABLE_CLASSES, worstFirst.size()))) {
            h.append("<tr><td>").append(esc(c.name())).append(String.format(Locale.ROOT,
                    "</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>", c.precision(), c.recall(), c.f1(), c.support()));
        }
        h.append(String.format(Locale.ROOT, "<tr class=\"avg\"><td>macro avg</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>",
                r.metrics().macro().precision(), r.metrics().macro().recall(), r.metrics().macro().f1(), r.metrics().total()));
        h.append(String.format(Locale.ROOT, "<tr class=\"avg\"><td>weighted avg</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>",
                r.metrics().weighted().precision(), r.metrics().weighted().recall(), r.metrics().weighted().f1(), r.metrics().total()));
        h.append("</tbody></table></div></section>\n");

        List<EvaluationStats.Mistake> mistakes = s.mistakes();
        h.append("<section><h2>Most confident mistakes</h2><p>").append(Math.min(ReportWriter.GALLERY, mistakes.size()))
                .append(" misclassified images, the most confident first.</p><div class=\"gallery\">");
        for (int i = 0; i < Math.min(ReportWriter.GALLERY, mistakes.size()); i++) {
            EvaluationStats.Mistake k = mistakes.get(i);
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
     * The confusion matrix as a shaded table; with more than {@link #ReportWriter.MAX_TABLE_CLASSES} classes the
     * {@link #ReportWriter.MAX_TABLE_CLASSES} largest confusions (true class, predicted class, count, share of the row) instead.
     */
    static void confusionTable(StringBuilder h, long[][] confusion, List<String> names) {
        if (names.size() > ReportWriter.MAX_TABLE_CLASSES) {
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
                    if (top.size() > ReportWriter.MAX_TABLE_CLASSES) {
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

    static List<int[]> top(float[] probs, int k) {
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

    static void splitRow(StringBuilder h, String name, Diagnosis.Split s) {
        h.append("<tr><td>").append(esc(name)).append("</td><td>").append(Diagnosis.pct(s.accuracy())).append("</td><td>")
                .append(Diagnosis.num(s.loss())).append("</td></tr>");
    }

    static void img(StringBuilder h, byte[] png, String alt) {
        h.append("<img class=\"chart\" alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">");
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", v * 100);
    }

    static String shortFp(String fp) {
        return fp == null ? "unknown" : fp.length() > 19 ? fp.substring(0, 19) + "…" : fp;
    }

    static String fileName(String id) {
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
