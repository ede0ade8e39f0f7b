package io.sparkcnn.driver.inference;

import io.sparkcnn.driver.report.ReportWriter;

/** What an evaluate run produced: where the report is, and its numbers. */
public record EvaluateResult(String reportPath, ReportWriter.Report report, int skipped) {
    public double accuracy() {
        return report.input().evaluated().accuracy();
    }

    public long images() {
        return report.input().evaluated().count();
    }
}
