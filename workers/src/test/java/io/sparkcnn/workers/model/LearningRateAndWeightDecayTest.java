package io.sparkcnn.workers.model;

import io.sparkcnn.workers.ImageShape;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.L2Regularization;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the driver relies on when it changes the learning rate between epochs (DL4J's setLearningRate on the
 * network) and what decoupled weight decay does, on a small network with a batch-norm layer, few steps, fixed
 * data: every comparison is exact up to float rounding.
 */
class LearningRateAndWeightDecayTest {
    private static final ImageShape SHAPE = new ImageShape(1, 4, 4);
    private static final int CLASSES = 3;

    private static ModelSpec spec(Optimizer optimizer, double lr, double l2, double weightDecay) {
        return new ModelSpec(List.of(new LayerSpec.Dense(8, LayerSpec.Activation.RELU), new LayerSpec.BatchNorm(),
                new LayerSpec.Output()), optimizer, lr, 0.9, ModelSpec.WeightInitKind.XAVIER, l2, 7, weightDecay);
    }

    private static MultiLayerNetwork net(Optimizer optimizer, double lr, double l2, double weightDecay) {
        return NetworkFactory.network(spec(optimizer, lr, l2, weightDecay), SHAPE, CLASSES);
    }

    private static INDArray[] batch(long seed) {
        Random r = new Random(seed);
        INDArray features = Nd4j.create(new long[] {6, 1, 4, 4});
        INDArray labels = Nd4j.zeros(6, CLASSES);
        for (int i = 0; i < 6; i++) {
            for (int p = 0; p < 16; p++) {
                features.putScalar(new long[] {i, 0, p / 4, p % 4}, r.nextDouble());
            }
            labels.putScalar(i, r.nextInt(CLASSES), 1.0);
        }
        return new INDArray[] {features, labels};
    }

    private static void fit(MultiLayerNetwork net, long seed) {
        INDArray[] b = batch(seed);
        net.fit(b[0], b[1]);
    }

    private static double rateOf(MultiLayerConfiguration conf) {
        for (NeuralNetConfiguration c : conf.getConfs()) {
            if (c.getLayer() instanceof BaseLayer l && l.getIUpdater() != null && l.getIUpdater().hasLearningRate()) {
                return l.getIUpdater().getLearningRate(0, 0);
            }
        }
        return Double.NaN;
    }

    /** A network built at {@code lr} holding {@code source}'s weights, updater state and step count. */
    private static MultiLayerNetwork rebuiltAt(MultiLayerNetwork source, Optimizer optimizer, double lr,
                                               INDArray state) {
        MultiLayerNetwork net = net(optimizer, lr, 0, 0);
        net.setParams(source.params().dup());
        if (state != null) {
            net.getUpdater().getStateViewArray().assign(state);
        }
        net.getLayerWiseConfigurations().setIterationCount(source.getLayerWiseConfigurations().getIterationCount());
        net.getLayerWiseConfigurations().setEpochCount(source.getLayerWiseConfigurations().getEpochCount());
        return net;
    }

    @ParameterizedTest
    @EnumSource(value = Optimizer.class, names = {"SGD", "MOMENTUM", "NESTEROV", "ADAGRAD", "RMSPROP", "ADAM"})
    void aNewRateKeepsTheUpdaterStateAndIsUsedByTheNextStep(Optimizer optimizer) {
        MultiLayerNetwork changed = net(optimizer, 0.01, 0, 0);
        fit(changed, 1);
        fit(changed, 2);
        INDArray state = changed.getUpdater().getStateViewArray() == null ? null
                : changed.getUpdater().getStateViewArray().dup();
        // not clone(): a clone shares the layers' updater configurations, so it would change rate too
        MultiLayerNetwork unchanged = rebuiltAt(changed, optimizer, 0.01, state);
        MultiLayerNetwork built = rebuiltAt(changed, optimizer, 0.003, state);

        changed.setLearningRate(0.003);

        if (state != null) {
            assertTrue(state.sumNumber().doubleValue() != 0, "there was state to keep");
            assertTrue(state.equalsWithEps(changed.getUpdater().getStateViewArray(), 0.0), "momentum / moments kept");
        }
        MultiLayerConfiguration shipped = MultiLayerConfiguration.fromJson(changed.getLayerWiseConfigurations().toJson());
        assertEquals(0.003, rateOf(shipped), 0.0, "the configuration JSON the workers receive carries the new rate");

        // the same weights and state in a network built with 0.003 from the start take the same next step
        fit(changed, 3);
        fit(built, 3);
        fit(unchanged, 3);
        assertTrue(built.params().equalsWithEps(changed.params(), 1e-6), optimizer + ": stepped at the new rate");
        assertFalse(unchanged.params().equalsWithEps(changed.params(), 1e-6), optimizer + ": the rate mattered");
    }

    @Test
    void weightDecayShrinksWeightsByLrTimesDecayAndLeavesBiasesAndBatchNormAlone() {
        MultiLayerNetwork plain = net(Optimizer.SGD, 0.1, 0, 0);
        MultiLayerNetwork decayed = net(Optimizer.SGD, 0.1, 0, 0.5);
        assertEquals(plain.params(), decayed.params(), "same initial weights");
        Map<String, INDArray> w0 = copy(decayed.paramTable());
        fit(plain, 1);
        fit(decayed, 1);
        Map<String, INDArray> p = plain.paramTable();
        Map<String, INDArray> d = decayed.paramTable();
        for (String weight : new String[] {"0_W", "2_W"}) {
            INDArray expected = p.get(weight).sub(w0.get(weight).mul(0.1 * 0.5)); // SGDW: w -= lr * wd * w
            assertTrue(expected.equalsWithEps(d.get(weight), 1e-6), weight + " decayed by lr * weight-decay");
        }
        for (String untouched : new String[] {"0_b", "2_b", "1_gamma", "1_beta", "1_mean", "1_var"}) {
            assertEquals(p.get(untouched), d.get(untouched), untouched + " is not decayed");
        }
        assertEquals(0.0, decayed.calcRegularizationScore(true), 0.0, "decoupled: nothing added to the loss");

        for (int step = 2; step <= 20; step++) {
            fit(plain, step);
            fit(decayed, step);
        }
        double plainNorm = plain.paramTable().get("0_W").norm2Number().doubleValue();
        double decayedNorm = decayed.paramTable().get("0_W").norm2Number().doubleValue();
        assertTrue(decayedNorm < 0.8 * plainNorm, "after 20 steps: " + decayedNorm + " vs " + plainNorm);
    }

    @Test
    void weightDecayFollowsTheCurrentLearningRate() {
        MultiLayerNetwork plain = net(Optimizer.ADAM, 0.1, 0, 0);
        MultiLayerNetwork decayed = net(Optimizer.ADAM, 0.1, 0, 0.5);
        plain.setLearningRate(0.02);
        decayed.setLearningRate(0.02);
        INDArray w0 = decayed.paramTable().get("0_W").dup();
        fit(plain, 1);
        fit(decayed, 1);
        INDArray expected = plain.paramTable().get("0_W").sub(w0.mul(0.02 * 0.5)); // AdamW at the epoch's rate
        assertTrue(expected.equalsWithEps(decayed.paramTable().get("0_W"), 1e-6));
    }

    @Test
    void withAdaDeltaWhichHasNoRateTheDecayIsTheCoefficientPerStep() {
        MultiLayerNetwork plain = net(Optimizer.ADADELTA, 0.1, 0, 0);
        MultiLayerNetwork decayed = net(Optimizer.ADADELTA, 0.1, 0, 0.01);
        INDArray w0 = decayed.paramTable().get("2_W").dup();
        fit(plain, 1);
        fit(decayed, 1);
        INDArray expected = plain.paramTable().get("2_W").sub(w0.mul(0.01)); // DL4J takes the rate as 1
        assertTrue(expected.equalsWithEps(decayed.paramTable().get("2_W"), 1e-6));
    }

    @Test
    void l2AndWeightDecayApplyTogether() {
        MultiLayerNetwork l2 = net(Optimizer.SGD, 0.1, 0.01, 0);
        MultiLayerNetwork both = net(Optimizer.SGD, 0.1, 0.01, 0.5);
        BaseLayer dense = (BaseLayer) both.getLayerWiseConfigurations().getConf(0).getLayer();
        // DL4J's builder keeps one of L2 and WeightDecay, and its global list reaches each layer twice
        assertEquals(2, dense.getRegularization().size(), dense.getRegularization().toString());
        assertEquals(1, dense.getRegularization().stream().filter(L2Regularization.class::isInstance).count());
        assertEquals(1, dense.getRegularization().stream().filter(DecoupledWeightDecay.class::isInstance).count());
        assertEquals(l2.calcRegularizationScore(true), both.calcRegularizationScore(true), 0.0,
                "only the L2 term is in the loss");
        assertTrue(l2.calcRegularizationScore(true) > 0);
        INDArray w0 = both.paramTable().get("0_W").dup();
        fit(l2, 1);
        fit(both, 1);
        assertTrue(l2.paramTable().get("0_W").sub(w0.mul(0.05)).equalsWithEps(both.paramTable().get("0_W"), 1e-6));
    }

    @Test
    void weightDecayTravelsInTheConfigurationJson() {
        MultiLayerConfiguration conf = NetworkFactory.configuration(spec(Optimizer.ADAM, 0.001, 0, 0.01), SHAPE, CLASSES);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        BaseLayer dense = (BaseLayer) back.getConf(0).getLayer();
        assertEquals(List.of(new DecoupledWeightDecay(0.01)), dense.getRegularization());
        assertTrue(dense.getRegularizationBias() == null || dense.getRegularizationBias().isEmpty(), "not on biases");
        assertTrue(((BaseLayer) back.getConf(1).getLayer()).getRegularizationByParam("gamma") == null, "not on batch norm");
    }

    @Test
    void withoutWeightDecayTheConfigurationIsTheOneBuiltBefore() {
        MultiLayerConfiguration conf = NetworkFactory.configuration(spec(Optimizer.ADAM, 0.001, 0.001, 0), SHAPE, CLASSES);
        assertFalse(conf.toJson().contains("DecoupledWeightDecay"));
        BaseLayer dense = (BaseLayer) conf.getConf(0).getLayer();
        assertEquals(1, dense.getRegularization().size());
        assertInstanceOf(L2Regularization.class, dense.getRegularization().get(0));
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> table) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        table.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
