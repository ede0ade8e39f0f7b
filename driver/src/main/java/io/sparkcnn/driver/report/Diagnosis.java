package io.sparkcnn.driver.report;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads the fit from train, validation and test accuracy and loss, as one would from Keras' history:
 * overfitting when training accuracy is far above validation (or the validation loss far above the
 * training loss), underfitting when even training accuracy is low, else a healthy fit. The thresholds
 * are rules of thumb, stated in the text so a reader can judge them.
 */
public record Diagnosis(Verdict verdict, String text) {
    /** Train accuracy this far above validation accuracy reads as overfitting. */
    public static final double OVERFIT_GAP = 0.05;
    /** Validation loss this many times the training loss reads as overfitting too. */
    public static final double OVERFIT_LOSS_RATIO = 1.5;
    /** Training accuracy below this reads as underfitting: the model has not even learned its own training data. */
    public static final double UNDERFIT_ACCURACY = 0.80;

    public enum Verdict {
        OVERFITTING("overfitting"), UNDERFITTING("underfitting"), HEALTHY("healthy fit"),
        NOT_ASSESSED("fit not assessed");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Accuracy and mean loss of one split (NaN when the split was not evaluated). */
    public record Split(double accuracy, double loss) {
    }

    /** The largest class this many times the smallest (in images) reads as a class imbalance worth a sentence. */
    public static final double IMBALANCE_RATIO = 10;
    /** At most this many minority classes are named in the sentence. */
    static final int MINORITY_NAMED = 10;

    /**
     * As {@link #of(Split, Split, Split, int)}, with a sentence on class imbalance appended when the largest class
     * has at least {@link #IMBALANCE_RATIO} times the images of the smallest. The counts are the evaluated split's
     * support: the split is stratified, so its class proportions are the training split's.
     */
    public static Diagnosis of(Split train, Split validation, Split test, ClassificationMetrics metrics) {
        Diagnosis fit = of(train, validation, test, metrics.perClass().size());
        String imbalance = imbalance(metrics);
        return imbalance == null ? fit : new Diagnosis(fit.verdict(), fit.text() + " " + imbalance);
    }

    /** The imbalance sentence, or null when the classes are within {@link #IMBALANCE_RATIO} of each other. */
    static String imbalance(ClassificationMetrics metrics) {
        List<ClassificationMetrics.PerClass> classes = metrics.perClass();
        if (classes.size() < 2) {
            return null;
        }
        ClassificationMetrics.PerClass largest = classes.stream()
                .max(Comparator.comparingLong(ClassificationMetrics.PerClass::support)).orElseThrow();
        ClassificationMetrics.PerClass smallest = classes.stream()
                .min(Comparator.comparingLong(ClassificationMetrics.PerClass::support)).orElseThrow();
        if (largest.support() == 0 || largest.support() < IMBALANCE_RATIO * smallest.support()) {
            return null;
        }
        List<ClassificationMetrics.PerClass> minority = classes.stream()
                .filter(c -> c.support() * IMBALANCE_RATIO <= largest.support())
                .sorted(Comparator.comparingLong(ClassificationMetrics.PerClass::support)
                        .thenComparing(ClassificationMetrics.PerClass::name)).toList();
        String named = minority.stream().limit(MINORITY_NAMED)
                .map(c -> String.format(Locale.ROOT, "%s (%d images, recall %s)", c.name(), c.support(),
                        c.support() == 0 ? "n/a" : pct(c.recall())))
                .collect(Collectors.joining(", "));
        if (minority.size() > MINORITY_NAMED) {
            named += " and " + (minority.size() - MINORITY_NAMED) + " more (report.json lists every class)";
        }
        String ratio = smallest.support() == 0 ? "images of a class with none"
                : String.format(Locale.ROOT, "%.0fx the images of the smallest, %s (%d)",
                (double) largest.support() / smallest.support(), smallest.name(), smallest.support());
        return String.format(Locale.ROOT, "Class imbalance: the largest class, %s (%d images in this split, which is"
                        + " stratified like the training split), has %s. Classes with a tenth or less of the largest: %s."
                        + " Accuracy is dominated by the large classes and hides how these fare: look at their recall,"
                        + " and collect more images of them or rebalance the training data (e.g. oversample them).",
                largest.name(), largest.support(), ratio, named);
    }

    public static Diagnosis of(Split train, Split validation, Split test, int numClasses) {
        String numbers = String.format(Locale.ROOT,
                "Accuracy: train %s, validation %s, test %s. Loss: train %s, validation %s, test %s.",
                pct(train.accuracy()), pct(validation.accuracy()), pct(test.accuracy()),
                num(train.loss()), num(validation.loss()), num(test.loss()));
        if (Double.isNaN(train.accuracy()) || Double.isNaN(validation.accuracy())) {
            return new Diagnosis(Verdict.NOT_ASSESSED, String.format(Locale.ROOT,
                    "Fit not assessed: the model's training and validation figures are unknown (a model.zip without the"
                            + " report of the run that trained it), so over- or underfitting cannot be told apart. %s",
                    numbers));
        }
        double gap = train.accuracy() - validation.accuracy();
        double lossRatio = validation.loss() / train.loss();
        double chance = 1.0 / numClasses;
        double underfitBelow = UNDERFIT_ACCURACY;
        if (train.accuracy() < underfitBelow && !(gap > OVERFIT_GAP)) {
            return new Diagnosis(Verdict.UNDERFITTING, String.format(Locale.ROOT,
                    "Underfitting: the model reaches only %s on its own training data (below %s; chance is %s), and"
                            + " validation is no better at %s. It has not learned enough: train longer (raise"
                            + " training.max-epochs or the patience), raise the learning rate, or use a larger model. %s",
                    pct(train.accuracy()), pct(underfitBelow), pct(chance), pct(validation.accuracy()), numbers));
        }
        if (gap > OVERFIT_GAP || (train.loss() > 0 && lossRatio > OVERFIT_LOSS_RATIO && gap > 0.01)) {
            return new Diagnosis(Verdict.OVERFITTING, String.format(Locale.ROOT,
                    "Overfitting: training accuracy %s is %s points above validation accuracy %s"
                            + " (validation loss %s vs training loss %s). The model memorises its training images:"
                            + " add dropout or L2 (model.l2), augment or add data, or stop earlier (lower the"
                            + " patience; restore-best-weights keeps the best epoch). %s",
                    pct(train.accuracy()), points(gap), pct(validation.accuracy()), num(validation.loss()),
                    num(train.loss()), numbers));
        }
        return new Diagnosis(Verdict.HEALTHY, String.format(Locale.ROOT,
                "Healthy fit: training accuracy %s and validation accuracy %s are within %s points (threshold %s),"
                        + " and the test accuracy %s confirms it on images never used for training or early stopping. %s",
                pct(train.accuracy()), pct(validation.accuracy()), points(Math.abs(gap)), points(OVERFIT_GAP),
                pct(test.accuracy()), numbers));
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", v * 100);
    }

    static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    static String points(double v) {
        return String.format(Locale.ROOT, "%.1f", v * 100);
    }
}
