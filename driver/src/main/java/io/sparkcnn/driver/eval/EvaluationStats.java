package io.sparkcnn.driver.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one pass over a split gives a report: loss, accuracy, top-2 accuracy, the confusion matrix and
 * the most confident mistakes (with their pixels, for the gallery). Computed per partition on the
 * executors and merged on the driver; only the {@code keep} most confident mistakes travel.
 */
public final class EvaluationStats implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Wrong predictions ordered by the probability given to the wrong class, highest first. */
    static final Comparator<Mistake> MOST_CONFIDENT = Comparator.comparingDouble(Mistake::confidence).reversed()
            .thenComparing(Mistake::id);

    private final int keep;
    long count;
    double lossSum;
    long correct;
    long top2Correct;
    final long[][] confusion;
    private final List<Mistake> mistakes = new ArrayList<>();

    /** One misclassified image: true and predicted class, every class probability, the pixels (C, H, W). */
    public record Mistake(String id, int label, int predicted, float[] probabilities, byte[] pixels)
            implements Serializable {
        public double confidence() {
            return probabilities[predicted];
        }
    }

    public EvaluationStats(int numClasses, int keep) {
        this.keep = keep;
        this.confusion = new long[numClasses][numClasses];
    }

    /** Records one prediction; {@code pixels} is kept only if the mistake is among the most confident. */
    public void add(String id, int label, float[] probabilities, byte[] pixels) {
        int predicted = argMax(probabilities);
        count++;
        lossSum += -Math.log(Math.max(probabilities[label], 1e-7));
        confusion[label][predicted]++;
        if (predicted == label) {
            correct++;
            top2Correct++;
            return;
        }
        if (secondBest(probabilities, predicted) == label) {
            top2Correct++;
        }
        offer(new Mistake(id, label, predicted, probabilities.clone(), pixels));
    }

    private void offer(Mistake m) {
        if (keep == 0) {
            return;
        }
        mistakes.add(m);
        if (mistakes.size() > 2 * keep) {
            trim();
        }
    }

    private void trim() {
        mistakes.sort(MOST_CONFIDENT);
        if (mistakes.size() > keep) {
            mistakes.subList(keep, mistakes.size()).clear();
        }
    }

    public EvaluationStats merge(EvaluationStats other) {
        count += other.count;
        lossSum += other.lossSum;
        correct += other.correct;
        top2Correct += other.top2Correct;
        for (int i = 0; i < confusion.length; i++) {
            for (int j = 0; j < confusion.length; j++) {
                confusion[i][j] += other.confusion[i][j];
            }
        }
        mistakes.addAll(other.mistakes);
        trim();
        return this;
    }

    public long count() {
        return count;
    }

    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    public double top2Accuracy() {
        return count == 0 ? Double.NaN : (double) top2Correct / count;
    }

    /** confusion[actual][predicted]. */
    public long[][] confusion() {
        return confusion;
    }

    /** The most confident mistakes, most confident first (at most {@code keep}). */
    public List<Mistake> mistakes() {
        trim();
        return List.copyOf(mistakes);
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static int secondBest(float[] v, int best) {
        int second = best == 0 ? 1 : 0;
        for (int i = 0; i < v.length; i++) {
            if (i != best && v[i] > v[second]) {
                second = i;
            }
        }
        return second;
    }
}
