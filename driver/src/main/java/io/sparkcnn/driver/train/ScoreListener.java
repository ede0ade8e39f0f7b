package io.sparkcnn.driver.train;

import io.sparkcnn.workers.LayerHelpers;
import org.apache.spark.SparkEnv;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Travels to the workers with the training master and adds every minibatch's loss to Spark
 * accumulators, so the driver gets the epoch's mean training loss (Keras' "loss") without another pass,
 * and the minibatch's images, which the driver's progress line counts.
 * Once per executor JVM and run it also reports which layer helpers the worker's own network runs on
 * (read from its layers), so the driver can say whether the fast convolution reached the executors.
 */
final class ScoreListener extends BaseTrainingListener implements Serializable {
    private static final long serialVersionUID = 3L;
    /** Runs (helper accumulators) this JVM has reported to; a JVM may serve several runs, e.g. in tests. */
    private static final Set<Long> REPORTED = ConcurrentHashMap.newKeySet();
    private final DoubleAccumulator lossSum;
    private final LongAccumulator batches;
    private final CollectionAccumulator<Map<String, Object>> helperReports;
    private final LongAccumulator images;

    ScoreListener(DoubleAccumulator lossSum, LongAccumulator batches,
                  CollectionAccumulator<Map<String, Object>> helperReports, LongAccumulator images) {
        this.lossSum = lossSum;
        this.batches = batches;
        this.helperReports = helperReports;
        this.images = images;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        lossSum.add(model.score());
        batches.add(1);
        if (images != null) {
            images.add(model.batchSize()); // the minibatch just fitted: its input is still set
        }
        if (helperReports != null && model instanceof MultiLayerNetwork net && REPORTED.add(helperReports.id())) {
            helperReports.add(report(net));
        }
    }

    /** Where this worker runs and the helper of each layer type of its network. */
    static Map<String, Object> report(MultiLayerNetwork net) {
        Map<String, Object> r = new LinkedHashMap<>();
        SparkEnv env = SparkEnv.get();
        r.put("executor", env == null ? "none" : env.executorId());
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown";
        }
        r.put("host", host);
        r.put("pid", ProcessHandle.current().pid());
        r.put("container", System.getenv("CONTAINER_ID")); // the YARN container, null elsewhere
        r.put("backend", io.sparkcnn.workers.BackendInfo.describe());
        r.put("jvm", LayerHelpers.jvmState());
        r.put("layers", new LinkedHashMap<>(LayerHelpers.perLayerType(net)));
        return r;
    }
}
