package io.sparkcnn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Peak resident memory (heap, ND4J's off-heap arrays and native libraries alike) of this JVM and of every
 * process it started (local-cluster executors), sampled from /proc every 200 ms. Linux only; elsewhere
 * the figures stay 0.
 */
final class PeakMemory implements AutoCloseable {
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "peak-memory");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Long> peakByChild = new HashMap<>();
    private long driverPeak;

    PeakMemory() {
        sampler.scheduleAtFixedRate(this::sample, 0, 200, TimeUnit.MILLISECONDS);
    }

    private synchronized void sample() {
        driverPeak = Math.max(driverPeak, rssBytes(ProcessHandle.current().pid()));
        ProcessHandle.current().descendants().forEach(p -> {
            long rss = rssBytes(p.pid());
            if (rss > 0 && p.info().command().map(c -> c.endsWith("java")).orElse(false)) {
                peakByChild.merge(p.pid(), rss, Math::max);
            }
        });
    }

    /** VmHWM is the kernel's own high-water mark for this process; descendants are sampled. */
    synchronized long driverPeakBytes() {
        return Math.max(driverPeak, hwmBytes(ProcessHandle.current().pid()));
    }

    /** The largest peak of any one child JVM (an executor), 0 without children. */
    synchronized long executorPeakBytes() {
        return peakByChild.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    synchronized int executors() {
        return peakByChild.size();
    }

    private static long rssBytes(long pid) {
        return statusField(pid, "VmRSS:");
    }

    private static long hwmBytes(long pid) {
        return statusField(pid, "VmHWM:");
    }

    private static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process just ended
        }
        return 0;
    }

    @Override
    public void close() {
        sample();
        sampler.shutdownNow();
    }
}
