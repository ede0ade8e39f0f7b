package io.sparkcnn.driver.report;

import io.sparkcnn.driver.train.EpochRecord;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes report.json, report.md and report.html into a folder on any Hadoop FileSystem, each from its own
 * renderer ({@link ReportJson}, {@link ReportMarkdown}, {@link ReportHtml}). The caller writes into an unfinished
 * folder and renames it into place.
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
    /** The Content-Security-Policy of every HTML report: inline styles and data: images only. */
    public static final String CSP = ReportHtml.CSP;

    private ReportWriter() {
    }

    /** The report's numbers. */
    public record Report(ReportInput input, ClassificationMetrics metrics, Diagnosis diagnosis) {
        public static Report of(ReportInput in) {
            ClassificationMetrics metrics = ClassificationMetrics.of(in.evaluated().confusion(), in.classNames());
            Diagnosis.Split test = new Diagnosis.Split(in.evaluated().accuracy(), in.loss());
            return new Report(in, metrics, Diagnosis.of(in.train(), in.validation(), test, metrics, in.history(),
                    judgedEpoch(in)));
        }
    }

    /**
     * The epoch whose weights the report judges: the one whose validation figures the report carries (the train job
     * takes them from the history at the restored best epoch, or at the last), else the last epoch.
     */
    static int judgedEpoch(ReportInput in) {
        for (EpochRecord r : in.history()) {
            if (r.valAccuracy() == in.validation().accuracy() && r.valLoss() == in.validation().loss()) {
                return r.epoch();
            }
        }
        return in.history().isEmpty() ? -1 : in.history().get(in.history().size() - 1).epoch();
    }

    public static Report write(FileSystem fs, Path folder, ReportInput input) throws IOException {
        Report report = Report.of(input);
        write(fs, new Path(folder, "report.json"), ReportJson.of(report).toJson());
        write(fs, new Path(folder, "report.md"), ReportMarkdown.markdown(report));
        write(fs, new Path(folder, "report.html"), ReportHtml.html(report));
        return report;
    }

    static void write(FileSystem fs, Path path, String content) throws IOException {
        try (OutputStream out = fs.create(path, false)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }
}
