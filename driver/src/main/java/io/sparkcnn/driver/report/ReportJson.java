package io.sparkcnn.driver.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.eval.EvaluationStats;
import io.sparkcnn.driver.train.EpochRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * report.json of an evaluation (train's final report and the evaluate job's): every class and the whole
 * confusion matrix, whatever their number. Written by {@link ReportWriter}, read back by evaluate for the train
 * and validation figures of the run it evaluates. Field by field: docs/outputs.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportJson(String formatVersion, String title, String created, String split, long images,
                         double accuracy, double loss, double top2Accuracy, Averages macroAvg, Averages weightedAvg,
                         List<PerClassRow> perClass, Confusion confusionMatrix, Map<String, SplitFigures> splits,
                         Verdict diagnosis, Source model, Source dataset, Integer bestEpoch, Integer stoppedEpoch,
                         String stopReason, String monitor, List<MistakeRow> mostConfidentMistakes, double seconds,
                         List<Double> learningRates) {

    public record Averages(double precision, double recall, double f1) {
        static Averages of(ClassificationMetrics.Averages a) {
            return new Averages(a.precision(), a.recall(), a.f1());
        }
    }

    /** Precision, recall, F1 and support of one class. */
    public record PerClassRow(@JsonProperty("class") String className, double precision, double recall, double f1,
                              long support) {
    }

    /** matrix[true class][predicted class]. */
    public record Confusion(List<String> classNames, String rows, String columns, long[][] matrix) {
    }

    /** Accuracy and loss of one split; null when unknown. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SplitFigures(Double accuracy, Double loss) {
        static SplitFigures of(Diagnosis.Split s) {
            return new SplitFigures(Double.isNaN(s.accuracy()) ? null : s.accuracy(),
                    Double.isNaN(s.loss()) ? null : s.loss());
        }

        Diagnosis.Split toSplit() {
            return accuracy == null || loss == null ? ReportInput.UNKNOWN : new Diagnosis.Split(accuracy, loss);
        }
    }

    public record Verdict(String verdict, String text) {
    }

    public record Source(String source, String fingerprint) {
    }

    @JsonPropertyOrder({"image", "true", "predicted", "confidence", "true_class_probability"}) // "true" is named by hand
    public record MistakeRow(String image, @JsonProperty("true") String trueClass, String predicted, double confidence,
                             float trueClassProbability) {
    }

    public ReportJson {
        formatVersion = formatVersion == null ? JsonFormat.CURRENT : formatVersion;
    }

    static ReportJson of(ReportWriter.Report r) {
        ReportInput in = r.input();
        EvaluationStats s = in.evaluated();
        Map<String, SplitFigures> splits = new LinkedHashMap<>();
        splits.put("train", SplitFigures.of(in.train()));
        splits.put("validation", SplitFigures.of(in.validation()));
        splits.put(in.evaluatedSplit(), SplitFigures.of(new Diagnosis.Split(s.accuracy(), in.loss())));
        List<MistakeRow> mistakes = new ArrayList<>();
        for (EvaluationStats.Mistake k : s.mistakes()) {
            mistakes.add(new MistakeRow(k.id(), in.classNames().get(k.label()), in.classNames().get(k.predicted()),
                    k.confidence(), k.probabilities()[k.label()]));
        }
        boolean trained = !in.history().isEmpty(); // the early-stopping fields belong to a run that trained
        return new ReportJson(JsonFormat.CURRENT, in.title(), Instant.now().toString(), in.evaluatedSplit(), s.count(),
                s.accuracy(), in.loss(), s.top2Accuracy(), Averages.of(r.metrics().macro()),
                Averages.of(r.metrics().weighted()), perClassRows(r.metrics()),
                new Confusion(in.classNames(), "true class", "predicted class", s.confusion()), splits,
                new Verdict(r.diagnosis().verdict().label(), r.diagnosis().text()),
                new Source(in.modelSource(), in.modelFingerprint()), new Source(in.datasetSource(), in.datasetFingerprint()),
                trained ? in.bestEpoch() : null, trained ? in.stoppedEpoch() : null, trained ? in.stopReason() : null,
                trained ? in.monitor() : null, mistakes, in.seconds(), trained ? learningRates(in) : null);
    }

    /** The learning rate of each epoch of the history, in order; null for an epoch whose rate is unknown. */
    static List<Double> learningRates(ReportInput in) {
        List<Double> rates = new ArrayList<>();
        for (EpochRecord e : in.history()) {
            rates.add(Double.isFinite(e.learningRate()) ? e.learningRate() : null);
        }
        return rates;
    }

    /** Precision, recall, F1 and support of each class, in class order. */
    static List<PerClassRow> perClassRows(ClassificationMetrics metrics) {
        return metrics.perClass().stream()
                .map(c -> new PerClassRow(c.name(), c.precision(), c.recall(), c.f1(), c.support())).toList();
    }

    /** Figures of the split named {@code name} ("train", "validation", ...), or unknown. */
    public Diagnosis.Split split(String name) {
        SplitFigures f = splits == null ? null : splits.get(name);
        return f == null ? ReportInput.UNKNOWN : f.toSplit();
    }

    public String toJson() {
        return JsonFormat.write(this);
    }

    /** Reads report.json; unknown fields are ignored, a newer major format is refused naming {@code source}. */
    public static ReportJson fromJson(JsonNode json, String source) {
        return JsonFormat.read(json, ReportJson.class, source);
    }
}
