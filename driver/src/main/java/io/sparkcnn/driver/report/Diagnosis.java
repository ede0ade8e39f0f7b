package io.sparkcnn.driver.report;

import io.sparkcnn.driver.train.EpochRecord;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads the fit from train, validation and test accuracy and loss and from the curves of the history, as one
 * would from Keras' history: overfitting when training accuracy is far above validation and the validation error
 * is at least twice the training error, or when the weights judged lie where the curves part (validation loss
 * risen above its minimum while training loss kept falling) and the accuracy gap is large against the validation
 * error; underfitting when even training accuracy is low; else a healthy fit. A gap of a few points with the
 * validation error under twice the training error is the usual state of a regularised model still learning
 * (augmentation, dropout and label smoothing make the training images harder than the validation ones while it
 * trains), not memorising. A validation loss above the training loss alone is no sign: at low loss it nearly always
 * is. The thresholds are rules of thumb, stated in the text so a reader can judge them.
 */
public record Diagnosis(Verdict verdict, String text) {
    /** Train accuracy this far above validation accuracy reads as overfitting (with {@link #GAP_SHARE_OF_ERROR}). */
    public static final double OVERFIT_GAP = 0.05;
    /**
     * ... and the gap at least this fraction of the validation error, i.e. the validation error at least twice the
     * training error: 99% vs 88% is overfitting, 90.8% vs 85.6% (a CIFAR-10 run still improving) is not.
     */
    public static final double GAP_SHARE_OF_ERROR = 0.5;
    /** Validation loss this far (relative) above its minimum, with training loss still falling, is curves parting. */
    public static final double VAL_LOSS_RISE = 0.10;
    /** Where the curves part, an accuracy gap of at least this fraction of the validation error reads as overfitting. */
    public static final double RELATIVE_GAP = 0.25;
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
    public static Diagnosis of(Split train, Split validation, Split test, ClassificationMetrics metrics,
                               List<EpochRecord> history, int judgedEpoch) {
        Diagnosis fit = of(train, validation, test, metrics.perClass().size(), history, judgedEpoch);
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

    /** Without a history (a model.zip evaluated on its own): the figures alone. */
    public static Diagnosis of(Split train, Split validation, Split test, int numClasses) {
        return of(train, validation, test, numClasses, List.of(), -1);
    }

    /**
     * Where the validation loss of {@code history} has its minimum and how it went from there to the epoch whose
     * weights are judged ({@code judgedEpoch}: the restored best epoch, or the last).
     */
    record Curves(EpochRecord lowest, EpochRecord judged) {
        static Curves of(List<EpochRecord> history, int judgedEpoch) {
            if (history.size() < 2) {
                return null;
            }
            EpochRecord lowest = history.stream().filter(r -> !Double.isNaN(r.valLoss()))
                    .min(Comparator.comparingDouble(EpochRecord::valLoss)).orElse(null);
            EpochRecord judged = history.stream().filter(r -> r.epoch() == judgedEpoch).findFirst()
                    .orElse(history.get(history.size() - 1));
            return lowest == null ? null : new Curves(lowest, judged);
        }

        /** The judged weights lie where validation loss has risen from its minimum while training loss kept falling. */
        boolean parted() {
            return judged.epoch() > lowest.epoch() && judged.valLoss() >= lowest.valLoss() * (1 + VAL_LOSS_RISE)
                    && judged.loss() < lowest.loss();
        }

        String describe() {
            return String.format(Locale.ROOT, "validation loss rose from %s at epoch %d (its lowest) to %s at epoch %d"
                            + " while training loss fell from %s to %s", num(lowest.valLoss()), lowest.epoch(),
                    num(judged.valLoss()), judged.epoch(), num(lowest.loss()), num(judged.loss()));
        }
    }

    public static Diagnosis of(Split train, Split validation, Split test, int numClasses, List<EpochRecord> history,
                               int judgedEpoch) {
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
        double validationError = 1 - validation.accuracy();
        double trainingError = 1 - train.accuracy();
        Curves curves = Curves.of(history, judgedEpoch);
        boolean parted = curves != null && curves.parted() && gap > RELATIVE_GAP * validationError;
        boolean wideGap = gap > OVERFIT_GAP && gap >= GAP_SHARE_OF_ERROR * validationError;
        double chance = 1.0 / numClasses;
        double underfitBelow = UNDERFIT_ACCURACY;
        if (train.accuracy() < underfitBelow && !wideGap && !parted) {
            return new Diagnosis(Verdict.UNDERFITTING, String.format(Locale.ROOT,
                    "Underfitting: the model reaches only %s on its own training data (below %s; chance is %s), and"
                            + " validation is no better at %s. It has not learned enough: train longer (raise"
                            + " training.max-epochs or training.early-stopping.patience), raise model.learning-rate, or"
                            + " use a larger model (model.preset = vgg2, or more filters in model.layers). %s",
                    pct(train.accuracy()), pct(underfitBelow), pct(chance), pct(validation.accuracy()), numbers));
        }
        if (wideGap || parted) {
            String why = wideGap
                    ? String.format(Locale.ROOT, "training accuracy %s is %s points above validation accuracy %s"
                    + " (threshold %s points), and the validation error %s is %s the training error %s",
                    pct(train.accuracy()), points(gap), pct(validation.accuracy()), points(OVERFIT_GAP),
                    pct(validationError), times(validationError, trainingError), pct(trainingError))
                    : String.format(Locale.ROOT, "the curves part: %s, and training accuracy %s is %s points above"
                            + " validation accuracy %s, more than %.0f%% of the validation error", curves.describe(),
                    pct(train.accuracy()), points(gap), pct(validation.accuracy()), RELATIVE_GAP * 100);
            return new Diagnosis(Verdict.OVERFITTING, String.format(Locale.ROOT,
                    "Overfitting: %s. The model memorises its training images: augment them (data.augment, e.g."
                            + " horizontal-flip = true, crop-padding = 4), add dropout layers (model.layers, e.g."
                            + " { type = dropout, rate = 0.25 }), decoupled weight decay (model.weight-decay) or L2"
                            + " (model.l2), add training images, or stop earlier (training.early-stopping.patience;"
                            + " restore-best-weights = true keeps the best epoch). %s", why, numbers));
        }
        String note = "";
        // the same test as for the judged weights, applied to the last epoch: did training go on past the best point?
        Curves toLast = curves == null ? null : new Curves(curves.lowest(), history.get(history.size() - 1));
        if (toLast != null && toLast.parted()) {
            note = curves.judged().epoch() < toLast.judged().epoch()
                    ? String.format(Locale.ROOT, " After epoch %d the validation loss rose by more than %.0f%% while"
                            + " training loss fell: training went on past the best point, and the weights judged here"
                            + " are epoch %d's (restore-best-weights).", curves.lowest().epoch(), VAL_LOSS_RISE * 100,
                    curves.judged().epoch())
                    : String.format(Locale.ROOT, " The curves have begun to part (%s): more epochs would overfit.",
                    toLast.describe());
        }
        String close = gap > OVERFIT_GAP
                ? String.format(Locale.ROOT, "training accuracy %s is %s points above validation accuracy %s, but the"
                        + " validation error %s is less than twice the training error %s (a model still learning,"
                        + " not memorising)", pct(train.accuracy()), points(gap), pct(validation.accuracy()),
                pct(validationError), pct(trainingError))
                : String.format(Locale.ROOT, "training accuracy %s and validation accuracy %s are within %s points"
                        + " (threshold %s)", pct(train.accuracy()), pct(validation.accuracy()), points(Math.abs(gap)),
                points(OVERFIT_GAP));
        return new Diagnosis(Verdict.HEALTHY, String.format(Locale.ROOT,
                "Healthy fit: %s, and the test accuracy %s confirms it on images never used for training or early"
                        + " stopping.%s %s", close, pct(test.accuracy()), note, numbers));
    }

    /** "3.1x" or, where the training error is 0, "far above". */
    static String times(double validationError, double trainingError) {
        return trainingError <= 0 ? "far above" : String.format(Locale.ROOT, "%.1fx", validationError / trainingError);
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
