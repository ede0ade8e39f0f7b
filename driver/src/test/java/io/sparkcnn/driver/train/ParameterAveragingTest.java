package io.sparkcnn.driver.train;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.config.EarlyStoppingConfig;
import io.sparkcnn.driver.config.TrainingConfig;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One parameter-averaging round with two workers, one minibatch each: the driver's weights (and, with
 * saveUpdater, the Adam state) after the round must be the mean of what each worker reaches on its own.
 */
class ParameterAveragingTest {
    private static final ImageShape SHAPE = new ImageShape(1, 8, 8);
    private static final int CLASSES = 3;
    private static final int BATCH = 4;

    private static ModelSpec spec(Optimizer optimizer) {
        return new ModelSpec(List.of(
                new LayerSpec.Conv2D(4, 3, 1, LayerSpec.Padding.SAME, LayerSpec.Activation.RELU),
                new LayerSpec.Pool(LayerSpec.PoolType.MAX, 2, 2),
                new LayerSpec.Dense(8, LayerSpec.Activation.RELU),
                new LayerSpec.Output()), optimizer, 0.05, 0.9, ModelSpec.WeightInitKind.XAVIER, 0.0, 11);
    }

    private static DataSet batch(long seed) {
        Random r = new Random(seed);
        float[] features = new float[BATCH * SHAPE.pixels()];
        for (int i = 0; i < features.length; i++) {
            features[i] = r.nextFloat();
        }
        float[] labels = new float[BATCH * CLASSES];
        for (int i = 0; i < BATCH; i++) {
            labels[i * CLASSES + r.nextInt(CLASSES)] = 1f;
        }
        return new DataSet(Nd4j.create(features, new long[] {BATCH, 1, 8, 8}, 'c'),
                Nd4j.create(labels, new long[] {BATCH, CLASSES}, 'c'));
    }

    private static MultiLayerNetwork fitLocally(MultiLayerNetwork initial, DataSet ds) {
        MultiLayerNetwork copy = initial.clone();
        copy.fit(ds);
        return copy;
    }

    private static MultiLayerNetwork oneSparkRound(MultiLayerNetwork initial, DataSet a, DataSet b) {
        JavaSparkContext sc = LocalSpark.get();
        TrainingConfig cfg = new TrainingConfig(BATCH, 1, 0, 2, 1, 0,
                new EarlyStoppingConfig(EarlyStoppingConfig.Monitor.VAL_LOSS, 0, 1, true), 0, false,
                java.time.Duration.ofSeconds(15));
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, initial.clone(), SparkTrainer.trainingMaster(cfg, 2, 5));
        sparkNet.fit(sc.parallelize(List.of(a, b), 2));
        return sparkNet.getNetwork();
    }

    @Test
    void averagedWeightsAreTheMeanOfTheWorkersWeights() {
        MultiLayerNetwork initial = NetworkFactory.network(spec(Optimizer.SGD), SHAPE, CLASSES);
        DataSet a = batch(1);
        DataSet b = batch(2);
        INDArray workerA = fitLocally(initial, a).params();
        INDArray workerB = fitLocally(initial, b).params();
        INDArray expected = workerA.add(workerB).divi(2);

        INDArray averaged = oneSparkRound(initial, a, b).params();

        assertTrue(expected.equalsWithEps(averaged, 1e-5), "driver weights = mean of the two workers' weights");
        assertFalse(workerA.equalsWithEps(averaged, 1e-5), "differs from worker A alone");
        assertFalse(workerB.equalsWithEps(averaged, 1e-5), "differs from worker B alone");
        assertFalse(initial.params().equalsWithEps(averaged, 1e-5), "the round changed the weights");
    }

    @Test
    void workersReportEveryMinibatchLossAndSizeToTheDriver() {
        JavaSparkContext sc = LocalSpark.get();
        MultiLayerNetwork initial = NetworkFactory.network(spec(Optimizer.SGD), SHAPE, CLASSES);
        DataSet a = batch(5);
        DataSet b = batch(6);
        double expected = (initial.clone().score(a) + initial.clone().score(b)) / 2; // loss before each worker's step
        TrainingConfig cfg = new TrainingConfig(BATCH, 1, 0, 2, 1, 0,
                new EarlyStoppingConfig(EarlyStoppingConfig.Monitor.VAL_LOSS, 0, 1, true), 0, false,
                java.time.Duration.ofSeconds(15));
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, initial.clone(), SparkTrainer.trainingMaster(cfg, 2, 5));
        var sum = sc.sc().doubleAccumulator();
        var count = sc.sc().longAccumulator();
        var images = sc.sc().longAccumulator();
        sparkNet.setListeners(List.of(new ScoreListener(sum, count, null, images)));
        sparkNet.fit(sc.parallelize(List.of(a, b), 2));
        assertEquals(2, count.value(), "one report per minibatch");
        assertEquals(2 * BATCH, images.value(), "each minibatch's images");
        assertEquals(expected, sum.value() / count.value(), 1e-4);
    }

    @Test
    void adamStateIsAveragedAndKept() {
        MultiLayerNetwork initial = NetworkFactory.network(spec(Optimizer.ADAM), SHAPE, CLASSES);
        DataSet a = batch(3);
        DataSet b = batch(4);
        MultiLayerNetwork workerA = fitLocally(initial, a);
        MultiLayerNetwork workerB = fitLocally(initial, b);
        INDArray expectedParams = workerA.params().add(workerB.params()).divi(2);
        INDArray expectedState = workerA.getUpdater().getStateViewArray()
                .add(workerB.getUpdater().getStateViewArray()).divi(2);

        MultiLayerNetwork averaged = oneSparkRound(initial, a, b);

        assertTrue(expectedParams.equalsWithEps(averaged.params(), 1e-5));
        INDArray state = averaged.getUpdater().getStateViewArray();
        assertTrue(state.sumNumber().doubleValue() != 0, "Adam moments are not reset");
        assertTrue(expectedState.equalsWithEps(state, 1e-5), "updater state = mean of the workers' states");
    }
}
