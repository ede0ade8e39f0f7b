package io.sparkcnn.driver.report;

import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.train.EpochRecord;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** report.md: the headline figures, the diagnosis and the worst classes, every name escaped for Markdown. */
final class ReportMarkdown {
    private ReportMarkdown() {
    }


    static String markdown(ReportWriter.Report r) {
        ReportInput in = r.input();
        EvaluationStats s = in.evaluated();
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
        String rates = learningRates(in.history());
        if (!rates.isEmpty()) {
            md.append(rates).append("\n\n");
        }
        md.append("Model ").append(MarkdownText.code(in.modelSource())).append(" (")
                .append(MarkdownText.text(in.modelFingerprint())).append("), data ").append(MarkdownText.code(in.datasetSource())).append(" (")
                .append(MarkdownText.text(in.datasetFingerprint())).append(").\n");
        return md.toString();
    }

    /**
     * "Learning rate: 1.0e-03 throughout." or "Learning rate: 1.0e-03 in epoch 1, 1.0e-04 in epoch 10 (last);
     * highest 1.0e-03 in epoch 1, lowest ...", or "" when no epoch's rate is known.
     */
    static String learningRates(List<EpochRecord> history) {
        List<EpochRecord> known = history.stream().filter(e -> Double.isFinite(e.learningRate())).toList();
        if (known.isEmpty()) {
            return "";
        }
        EpochRecord first = known.get(0);
        EpochRecord last = known.get(known.size() - 1);
        if (!ReportCharts.ratesVary(known)) {
            return "Learning rate: " + rate(first.learningRate()) + " throughout.";
        }
        EpochRecord high = known.stream().max(Comparator.comparingDouble(EpochRecord::learningRate)).orElseThrow();
        EpochRecord low = known.stream().min(Comparator.comparingDouble(EpochRecord::learningRate)).orElseThrow();
        return String.format(Locale.ROOT, "Learning rate: %s in epoch %d, %s in epoch %d (last); highest %s in epoch %d,"
                        + " lowest %s in epoch %d.", rate(first.learningRate()), first.epoch(), rate(last.learningRate()),
                last.epoch(), rate(high.learningRate()), high.epoch(), rate(low.learningRate()), low.epoch());
    }

    /** A learning rate as the epoch line prints it (1.0e-03), or "-" when unknown. */
    static String rate(double lr) {
        return Double.isFinite(lr) ? String.format(Locale.ROOT, "%.1e", lr) : "-";
    }
}
