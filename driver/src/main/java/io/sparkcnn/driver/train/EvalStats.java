package io.sparkcnn.driver.train;

import java.io.Serializable;

/** Loss sum, correct count and confusion counts over a split; summed across partitions. */
public final class EvalStats implements Serializable {
    private static final long serialVersionUID = 1L;
    long count;
    double lossSum;
    long correct;
    final long[][] confusion;

    public EvalStats(int numClasses) {
        confusion = new long[numClasses][numClasses];
    }

    public EvalStats merge(EvalStats other) {
        count += other.count;
        lossSum += other.lossSum;
        correct += other.correct;
        for (int i = 0; i < confusion.length; i++) {
            for (int j = 0; j < confusion.length; j++) {
                confusion[i][j] += other.confusion[i][j];
            }
        }
        return this;
    }

    public long count() {
        return count;
    }

    /** Mean cross-entropy per example. */
    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    /** confusion[actual][predicted]. */
    public long[][] confusion() {
        return confusion;
    }
}
