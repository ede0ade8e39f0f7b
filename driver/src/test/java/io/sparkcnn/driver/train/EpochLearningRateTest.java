package io.sparkcnn.driver.train;

import io.sparkcnn.driver.LocalSpark;
import io.sparkcnn.driver.config.EarlyStoppingConfig;
import io.sparkcnn.driver.config.TrainingConfig;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.NetworkFactory;
import io.sparkcnn.workers.model.Optimizer;
import org.apache.commons.lang3.SerializationUtils;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
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
 * The rate the driver sets between epochs is the one the workers train with: one parameter-averaging round
 * with two workers after {@link SparkTrainer#setLearningRate} equals the mean of two local steps of networks
 * built with that rate, and keeps the updater state the driver had.
 */
class EpochLearningRateTest {
    private static final ImageShape SHAPE = new ImageShape(1, 8, 8);
    private static final int CLASSES = 3;
    private static final int BATCH = 4;

    private static MultiLayerNetwork net(Optimizer optimizer, double lr) {
        return NetworkFactory.network(new ModelSpec(List.of(
                new LayerSpec.Conv2D(4, 3, 1, LayerSpec.Padding.SAME, LayerSpec.Activation.RELU),
                new LayerSpec.Pool(LayerSpec.PoolType.MAX, 2, 2),
                new LayerSpec.Dense(8, LayerSpec.Activation.RELU),
                new LayerSpec.Output()), optimizer, lr, 0.9, ModelSpec.WeightInitKind.XAVIER, 0.0, 11), SHAPE, CLASSES);
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

    /** A network built at {@code lr} with {@code source}'s weights, updater state and step count. */
    private static MultiLayerNetwork rebuiltAt(MultiLayerNetwork source, Optimizer optimizer, double lr) {
        MultiLayerNetwork net = net(optimizer, lr);
        net.setParams(source.params().dup());
        if (source.getUpdater().getStateViewArray() != null) {
            net.getUpdater().getStateViewArray().assign(source.getUpdater().getStateViewArray());
        }
        net.getLayerWiseConfigurations().setIterationCount(source.getLayerWiseConfigurations().getIterationCount());
        return net;
    }

    private static void oneSparkRound(MultiLayerNetwork net, DataSet a, DataSet b) {
        JavaSparkContext sc = LocalSpark.get();
        TrainingConfig cfg = new TrainingConfig(BATCH, 1, 0, 2, 1, 0,
                new EarlyStoppingConfig(EarlyStoppingConfig.Monitor.VAL_LOSS, 0, 1, true), 0);
        new SparkDl4jMultiLayer(sc, net, SparkTrainer.trainingMaster(cfg, 2, 5)).fit(sc.parallelize(List.of(a, b), 2));
    }

    @Test
    void workersTakeSgdStepsAtTheRateTheDriverSet() {
        DataSet a = batch(1);
        DataSet b = batch(2);
        MultiLayerNetwork atConfigured = net(Optimizer.SGD, 0.05);
        MultiLayerNetwork lowered = net(Optimizer.SGD, 0.05);
        INDArray initial = lowered.params().dup();
        SparkTrainer.setLearningRate(lowered, 0.01);
        assertEquals(0.01, SparkTrainer.learningRate(lowered), 0.0);
        MultiLayerConfiguration shipped = SerializationUtils.roundtrip(lowered.getLayerWiseConfigurations());
        assertEquals(0.01, SparkTrainer.learningRate(new MultiLayerNetwork(shipped)), 0.0,
                "the configuration Spark serialises into the broadcast carries the new rate");

        oneSparkRound(atConfigured, a, b);
        oneSparkRound(lowered, a, b);

        // plain SGD from the same weights on the same batches: the averaged step scales with the rate
        INDArray stepAtConfigured = atConfigured.params().sub(initial);
        INDArray stepLowered = lowered.params().sub(initial);
        assertTrue(stepAtConfigured.mul(0.2).equalsWithEps(stepLowered, 1e-6), "a fifth of the step at 0.05");
        assertTrue(stepLowered.norm2Number().doubleValue() > 1e-4, "and a step was taken");
    }

    @Test
    void workersContinueAdamsMomentsAtTheNewRate() {
        DataSet a = batch(3);
        DataSet b = batch(4);
        MultiLayerNetwork driver = net(Optimizer.ADAM, 0.01);
        driver.fit(batch(5)); // moments to keep
        assertTrue(driver.getUpdater().getStateViewArray().sumNumber().doubleValue() != 0);
        MultiLayerNetwork workerA = rebuiltAt(driver, Optimizer.ADAM, 0.002);
        MultiLayerNetwork workerB = rebuiltAt(driver, Optimizer.ADAM, 0.002);
        MultiLayerNetwork oldRate = rebuiltAt(driver, Optimizer.ADAM, 0.01);
        workerA.fit(a);
        workerB.fit(b);
        INDArray expected = workerA.params().add(workerB.params()).divi(2);
        INDArray expectedState = workerA.getUpdater().getStateViewArray()
                .add(workerB.getUpdater().getStateViewArray()).divi(2);

        SparkTrainer.setLearningRate(driver, 0.002);
        oneSparkRound(driver, a, b);
        oneSparkRound(oldRate, a, b);

        assertTrue(expected.equalsWithEps(driver.params(), 1e-5), "the workers stepped at 0.002 from the kept moments");
        assertTrue(expectedState.equalsWithEps(driver.getUpdater().getStateViewArray(), 1e-5));
        assertFalse(oldRate.params().equalsWithEps(driver.params(), 1e-5), "at 0.01 they would have gone elsewhere");
    }
}
