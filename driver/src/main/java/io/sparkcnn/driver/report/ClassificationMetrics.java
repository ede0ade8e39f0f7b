package io.sparkcnn.driver.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What scikit-learn's classification_report gives, from a confusion matrix (rows = true class, columns =
 * predicted): per-class precision, recall, F1 and support, and their macro (unweighted) and weighted (by
 * support) means. A class never predicted has precision 0, one never present recall 0 (sklearn's
 * zero_division=0).
 */
public record ClassificationMetrics(List<PerClass> perClass, Averages macro, Averages weighted, double accuracy,
                                    long total) {

    public record PerClass(int index, String name, double precision, double recall, double f1, long support,
                           long predicted) {
    }

    public record Averages(double precision, double recall, double f1) {
    }

    public static ClassificationMetrics of(long[][] confusion, List<String> classNames) {
        int n = confusion.length;
        if (classNames.size() != n) {
            throw new IllegalArgumentException(n + " classes in the confusion matrix, " + classNames.size() + " names");
        }
        long total = 0;
        long correct = 0;
        long[] predicted = new long[n];
        long[] support = new long[n];
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                total += confusion[t][p];
                support[t] += confusion[t][p];
                predicted[p] += confusion[t][p];
            }
            correct += confusion[t][t];
        }
        List<PerClass> rows = new ArrayList<>();
        double[] macro = new double[3];
        double[] weighted = new double[3];
        for (int c = 0; c < n; c++) {
            double precision = predicted[c] == 0 ? 0 : (double) confusion[c][c] / predicted[c];
            double recall = support[c] == 0 ? 0 : (double) confusion[c][c] / support[c];
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            rows.add(new PerClass(c, classNames.get(c), precision, recall, f1, support[c], predicted[c]));
            macro[0] += precision / n;
            macro[1] += recall / n;
            macro[2] += f1 / n;
            if (total > 0) {
                weighted[0] += precision * support[c] / total;
                weighted[1] += recall * support[c] / total;
                weighted[2] += f1 * support[c] / total;
            }
        }
        return new ClassificationMetrics(List.copyOf(rows), new Averages(macro[0], macro[1], macro[2]),
                new Averages(weighted[0], weighted[1], weighted[2]), total == 0 ? Double.NaN : (double) correct / total,
                total);
    }

    /** Classes ordered worst first: lowest F1, then lowest recall, then name. */
    public List<PerClass> worstFirst() {
        List<PerClass> sorted = new ArrayList<>(perClass);
        sorted.sort(java.util.Comparator.comparingDouble(PerClass::f1).thenComparingDouble(PerClass::recall)
                .thenComparing(PerClass::name));
        return sorted;
    }
}
