package io.sparkcnn.driver.train;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The driver's side of the in-epoch progress: on every finished task it reads the accumulators the workers'
 * {@link ScoreListener} adds to and hands the line {@link EpochProgress} decides on to the sink. Registered
 * only while an epoch fits.
 *
 * <p>The values are current: the DAGScheduler merges a task's accumulator updates into the driver's
 * accumulators ({@code handleTaskCompletion} → {@code updateAccumulators}) before it posts the task's
 * {@code SparkListenerTaskEnd}, and the listener bus hands events over through a blocking queue, so what this
 * listener reads includes that task (and perhaps later ones). {@link EpochProgress} keeps the count from
 * going backwards either way.
 */
final class EpochProgressListener extends SparkListener implements AutoCloseable {
    private final EpochProgress progress;
    private final LongAccumulator images;
    private final DoubleAccumulator lossSum;
    private final LongAccumulator batches;
    private final LongSupplier clock;
    private final Consumer<String> sink;
    private boolean closed;

    EpochProgressListener(EpochProgress progress, LongAccumulator images, DoubleAccumulator lossSum,
                          LongAccumulator batches, LongSupplier clock, Consumer<String> sink) {
        this.progress = progress;
        this.images = images;
        this.lossSum = lossSum;
        this.batches = batches;
        this.clock = clock;
        this.sink = sink;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (!closed) {
            progress.update(clock.getAsLong(), images.value(), lossSum.value(), batches.value()).ifPresent(sink);
        }
    }

    /**
     * No line after this returns: an event the bus still delivers finds the listener closed, and one being
     * handled finishes first (same lock), so no progress line can follow the epoch line.
     */
    @Override
    public synchronized void close() {
        closed = true;
    }
}
