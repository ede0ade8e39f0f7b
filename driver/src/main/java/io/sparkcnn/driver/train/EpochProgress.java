package io.sparkcnn.driver.train;

import java.util.Locale;
import java.util.Optional;

/**
 * Decides the progress lines of one epoch from (time, images fitted, loss so far), as Keras' progress bar
 * but as log lines: at most one line per {@code interval} (since the last line, or since the epoch began), when
 * more images are done than that line said. With an interval longer than {@link #TENTH_GAP_NANOS}, a new tenth
 * of the epoch (10%, 20%, ...) also gets a line once that much has passed, so a long interval still shows
 * the epoch moving; never at 0 images and never at 100%, where the epoch line follows. A short epoch thus
 * logs a few lines, not ten (the demo's one-minute epochs: four). Pure: the caller supplies the clock, so the
 * rules are tested without Spark.
 * Not thread-safe; {@link EpochProgressListener} calls it under its lock.
 */
final class EpochProgress {
    /** The least time between two lines when a new tenth, not the interval, asks for one. */
    static final long TENTH_GAP_NANOS = 15_000_000_000L;
    private final int epoch;
    private final int maxEpochs;
    private final long totalImages;
    private final long startNanos;
    private final long intervalNanos;
    private long lastLineNanos;
    private long lastTenth;
    private long lastLineDone;
    private long done;

    EpochProgress(int epoch, int maxEpochs, long totalImages, long startNanos, long intervalNanos) {
        if (totalImages < 0 || intervalNanos < 0) {
            throw new IllegalArgumentException("totalImages " + totalImages + ", intervalNanos " + intervalNanos);
        }
        this.epoch = epoch;
        this.maxEpochs = maxEpochs;
        this.totalImages = totalImages;
        this.startNanos = startNanos;
        this.intervalNanos = intervalNanos;
        this.lastLineNanos = startNanos;
    }

    /**
     * The line to log at {@code nanos} (same clock as the start) after {@code imagesDone} images and
     * {@code batches} minibatches whose losses sum to {@code lossSum}, or empty when none is due.
     */
    Optional<String> update(long nanos, long imagesDone, double lossSum, long batches) {
        // never backwards (values read while tasks merge) and never past the total (a recomputed task)
        done = Math.min(Math.max(done, imagesDone), totalImages);
        if (done <= 0 || done >= totalImages) {
            return Optional.empty();
        }
        long tenth = done * 10 / totalImages;
        long sinceLast = nanos - lastLineNanos;
        boolean due = sinceLast >= intervalNanos
                || tenth > lastTenth && sinceLast >= Math.min(intervalNanos, TENTH_GAP_NANOS);
        if (!due || done <= lastLineDone) {
            return Optional.empty();
        }
        lastTenth = tenth;
        lastLineNanos = nanos;
        lastLineDone = done;
        return Optional.of(line(nanos, batches > 0 ? lossSum / batches : Double.NaN));
    }

    private String line(long nanos, double meanLoss) {
        double seconds = Math.max(nanos - startNanos, 1) / 1e9;
        double rate = done / seconds;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "Epoch %d/%d - %,d/%,d images (%d%%) - %.0f images/s - ETA %s", epoch, maxEpochs, done, totalImages,
                done * 100 / totalImages, rate, duration(Math.round((totalImages - done) / rate))));
        if (!Double.isNaN(meanLoss)) {
            s.append(String.format(Locale.ROOT, " - loss: %.4f", meanLoss));
        }
        return s.toString();
    }

    /** 47s, 3m 07s, 1h 05m: seconds under a minute, minutes and seconds under an hour, then hours and minutes. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        }
        long minutes = Math.round(seconds / 60.0);
        return String.format(Locale.ROOT, "%dh %02dm", minutes / 60, minutes % 60);
    }
}
