package io.sparkcnn.driver.train;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.config.EarlyStoppingConfig;
import io.sparkcnn.driver.config.TrainingConfig;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LayerHelpers;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DL4J Spark builds every worker's network itself, from the broadcast configuration, so DL4J's own oneDNN batch
 * norm helper is what it gets; the training master's {@link BatchStatsHook} must switch it before the worker fits.
 * A listener on the workers reads the helper each minibatch actually ran with.
 */
class BatchStatsHookTest {
    /** Local mode: the workers run in this JVM, so they can write here. */
    private static final Set<String> SEEN_ON_WORKERS = ConcurrentHashMap.newKeySet();

    private static final class HelperSpy extends BaseTrainingListener implements Serializable {
        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            SEEN_ON_WORKERS.add(LayerHelpers.perLayerType((MultiLayerNetwork) model).get("batchnorm"));
        }
    }

    @Test
    void workersTrainWithTheBatchStatsHelper() {
        ImageShape shape = new ImageShape(3, 8, 8);
        MultiLayerNetwork net = NetworkFactory.network(new ModelSpec(List.of(
                new LayerSpec.Conv2D(4, 3, 1, LayerSpec.Padding.SAME, LayerSpec.Activation.RELU),
                new LayerSpec.BatchNorm(),
                new LayerSpec.Pool(LayerSpec.PoolType.MAX, 2, 2),
                new LayerSpec.Dense(8, LayerSpec.Activation.RELU),
                new LayerSpec.BatchNorm(),
                new LayerSpec.Output()), Optimizer.ADAM, 0.01, 0.9, ModelSpec.WeightInitKind.HE, 0.0, 3), shape, 3);
        assertEquals("oneDNN + batch stats", LayerHelpers.perLayerType(net).get("batchnorm"), "the driver's network");

        Random r = new Random(4);
        List<DataSet> batches = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            float[] x = new float[8 * 3 * 8 * 8];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat();
            }
            float[] y = new float[8 * 3];
            for (int i = 0; i < 8; i++) {
                y[i * 3 + r.nextInt(3)] = 1f;
            }
            batches.add(new DataSet(Nd4j.create(x, new long[]{8, 3, 8, 8}, 'c'), Nd4j.create(y, new long[]{8, 3}, 'c')));
        }
        JavaSparkContext sc = LocalSpark.get();
        TrainingConfig cfg = new TrainingConfig(8, 1, 0, 2, 1, 0,
                new EarlyStoppingConfig(EarlyStoppingConfig.Monitor.VAL_LOSS, 0, 1, true), 0);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, SparkTrainer.trainingMaster(cfg, 2, 5));
        sparkNet.setListeners(List.of(new HelperSpy()));
        SEEN_ON_WORKERS.clear();
        sparkNet.fit(sc.parallelize(batches, 2));
        assertEquals(Set.of("oneDNN + batch stats"), Set.copyOf(SEEN_ON_WORKERS),
                "batch norm helper of every minibatch the workers fitted");
    }
}
