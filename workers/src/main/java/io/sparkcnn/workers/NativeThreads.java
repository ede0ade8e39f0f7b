package io.sparkcnn.workers;

import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ND4J's native thread pools (OpenMP and BLAS) for this JVM. By default each pool takes every core, and
 * an executor runs one task per core, each training its own network: on 2 cores, 2 workers x 2 threads
 * fight over the cores and throughput drops by a third (measured: 377-390 against 658-735 images/s for
 * LeNet in local[2]). A worker should use the cores Spark gives its task.
 */
public final class NativeThreads {
    private static final Logger LOG = LoggerFactory.getLogger(NativeThreads.class);
    private static volatile int applied = -1;

    private NativeThreads() {
    }

    /** Limits ND4J's OpenMP threads in this JVM to {@code threads} and BLAS to one; repeated calls with the same value are free. */
    public static void limit(int threads) {
        if (threads <= 0 || applied == threads) {
            return;
        }
        synchronized (NativeThreads.class) {
            if (applied == threads) {
                return;
            }
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            // One BLAS thread: with oneDNN's OpenMP pool and OpenBLAS's pool both spinning on the same cores,
            // a dense layer's gemm right after a convolution took ~4 ms instead of ~1 ms (measured, 2 cores).
            // The dense layers of our presets are small; the convolutions carry the threads.
            Nd4j.factory().blas().setMaxThreads(1);
            applied = threads;
            LOG.info("ND4J threads per worker: {} (OpenMP; BLAS 1)", threads);
        }
    }

    /** The limit applied in this JVM, or -1 when none was. */
    public static int applied() {
        return applied;
    }
}
