package io.sparkcnn.driver;

import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts what Spark retried during a run: failed task attempts (by reason) and executors lost, so
 * metrics.json shows that a run survived faults rather than hiding them.
 */
final class TaskFailureListener extends SparkListener {
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final AtomicInteger executorsLost = new AtomicInteger();
    private final Map<String, Integer> reasons = new TreeMap<>();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.reason() != Success$.MODULE$) {
            failedAttempts.incrementAndGet();
            synchronized (reasons) {
                reasons.merge(taskEnd.reason().getClass().getSimpleName().replace("$", ""), 1, Integer::sum);
            }
        }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        executorsLost.incrementAndGet();
    }

    int failedAttempts() {
        return failedAttempts.get();
    }

    int executorsLost() {
        return executorsLost.get();
    }

    Map<String, Integer> reasons() {
        synchronized (reasons) {
            return Map.copyOf(reasons);
        }
    }
}
