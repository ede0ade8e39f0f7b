package io.sparkcnn.driver.train;

import io.sparkcnn.driver.config.LrScheduleConfig;
import io.sparkcnn.driver.config.LrScheduleConfig.Type;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each schedule against documented values. The expected lists were printed by PyTorch 1.13's schedulers on an
 * SGD optimizer, reading {@code param_groups[0]['lr']} before each epoch and calling {@code scheduler.step()}
 * after it, which is how epoch e (1-based) gets the value after e - 1 steps.
 */
class LearningRateScheduleTest {

    private static LearningRateSchedule of(Type type, double lr, int maxEpochs, int stepEpochs, double factor,
                                           int warmup, double minLr, double warmupFraction, double div,
                                           double finalDiv) {
        return new LearningRateSchedule(new LrScheduleConfig(type, stepEpochs, factor, warmup, minLr, warmupFraction,
                div, finalDiv), lr, maxEpochs);
    }

    private static void assertRates(double[] expected, LearningRateSchedule s) {
        for (int e = 1; e <= expected.length; e++) {
            assertEquals(expected[e - 1], s.at(e), Math.abs(expected[e - 1]) * 1e-12, "epoch " + e);
        }
    }

    @Test
    void constantIsTheLearningRateThroughout() {
        LearningRateSchedule s = LearningRateSchedule.constant(0.001);
        for (int e = 1; e <= 50; e++) {
            assertEquals(0.001, s.at(e), 0.0); // exactly: a constant run's updater is never touched
        }
    }

    @Test
    void stepMultipliesByFactorEveryStepEpochs() {
        LearningRateSchedule s = of(Type.STEP, 0.1, 30, 10, 0.1, 0, 0, 0.3, 25, 1e4);
        for (int e = 1; e <= 10; e++) {
            assertEquals(0.1, s.at(e), 0.0, "epoch " + e);
        }
        assertEquals(0.01, s.at(11), 1e-15);
        assertEquals(0.01, s.at(20), 1e-15);
        assertEquals(0.001, s.at(21), 1e-15);
        // PyTorch StepLR(step_size=3, gamma=0.1) from 0.01
        assertRates(new double[] {0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.0001, 0.0001, 0.0001, 1e-5},
                of(Type.STEP, 0.01, 10, 3, 0.1, 0, 0, 0.3, 25, 1e4));
    }

    @Test
    void exponentialMultipliesByFactorEveryEpoch() {
        // PyTorch ExponentialLR(gamma=0.9) from 0.1
        assertRates(new double[] {0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002,
                0.06561000000000002}, of(Type.EXPONENTIAL, 0.1, 5, 10, 0.9, 0, 0, 0.3, 25, 1e4));
    }

    @Test
    void cosineWarmsUpLinearlyThenAnnealsAsCosineAnnealingLR() {
        LearningRateSchedule s = of(Type.COSINE, 0.1, 10, 10, 0.1, 2, 1e-4, 0.3, 25, 1e4);
        assertEquals(0.05, s.at(1), 1e-15, "warm-up: lr * 1 / 2");
        assertEquals(0.1, s.at(2), 1e-15, "warm-up ends at the learning rate");
        // epochs 3..10: PyTorch CosineAnnealingLR(T_max = 10 - 2, eta_min = 1e-4) from 0.1
        double[] cosine = {0.1, 0.09619778264893877, 0.08536998372026805, 0.06916503744663624, 0.050050000000000004,
                0.030934962553363768, 0.014730016279731953, 0.0039022173510612273};
        for (int i = 0; i < cosine.length; i++) {
            assertEquals(cosine[i], s.at(i + 3), cosine[i] * 1e-12, "epoch " + (i + 3));
        }
        // the rate reaches min-lr after the last epoch: the last one trains one step above it, as in PyTorch
        assertEquals(1e-4 + (0.1 - 1e-4) * (1 + Math.cos(Math.PI * 7 / 8)) / 2, s.at(10), 1e-15);
    }

    @Test
    void cosineWithoutWarmUpStartsAtTheLearningRate() {
        LearningRateSchedule s = of(Type.COSINE, 0.01, 10, 10, 0.1, 0, 0, 0.3, 25, 1e4);
        assertEquals(0.01, s.at(1), 0.0);
        assertEquals(0.005, s.at(6), 1e-15, "half way: the mean of lr and min-lr");
        for (int e = 2; e <= 10; e++) {
            assertEquals(true, s.at(e) < s.at(e - 1), "falls every epoch: " + e);
        }
    }

    @Test
    void oneCycleMatchesPyTorchOneCycleLR() {
        // OneCycleLR(max_lr = 0.01, total_steps = 10), defaults: pct_start 0.3, div 25, final_div 1e4, cos
        LearningRateSchedule s = of(Type.ONE_CYCLE, 0.01, 10, 10, 0.1, 0, 0, 0.3, 25, 1e4);
        assertRates(new double[] {0.0003999999999999993, 0.0052, 0.01, 0.009504846320134737, 0.008117456539497631,
                0.0061126202193628925, 0.003887419780637108, 0.00188258346050237, 0.0004951936798652628, 4e-08}, s);
        assertEquals(0.01 / 25, s.at(1), 1e-15, "starts at max / div-factor");
        assertEquals(0.01, s.at(3), 1e-15, "peaks at max at the end of warm-up (0.3 * 10 - 1 = step 2 = epoch 3)");
        assertEquals(0.01 / 25 / 1e4, s.at(10), 1e-20, "ends at max / div / final-div in the last epoch");
    }

    @Test
    void oneCycleWithAWarmUpEndingBetweenEpochs() {
        // OneCycleLR(max_lr = 0.5, total_steps = 7, pct_start = 0.25, div_factor = 10, final_div_factor = 100)
        assertRates(new double[] {0.04999999999999999, 0.49721049884972585, 0.4333297049894991, 0.3058246032555895,
                0.15900607916449283, 0.04389686611458033, 0.0005}, of(Type.ONE_CYCLE, 0.5, 7, 10, 0.1, 0, 0, 0.25, 10, 100));
    }

    @Test
    void oneCycleWithAWarmUpOfNoLengthDoesNotDivideByZero() {
        // pct_start * total_steps = 1: PyTorch raises ZeroDivisionError; the phase counts as complete
        LearningRateSchedule s = of(Type.ONE_CYCLE, 0.01, 10, 10, 0.1, 0, 0, 0.1, 25, 1e4);
        assertEquals(0.01, s.at(1), 1e-15);
        assertEquals(0.01 / 25 / 1e4, s.at(10), 1e-20);
        assertEquals(0.01 / 25 / 1e4, of(Type.ONE_CYCLE, 0.01, 1, 10, 0.1, 0, 0, 0.3, 25, 1e4).at(1), 1e-20,
                "a single epoch is the end of the cycle, as in PyTorch");
    }

    @Test
    void epochsCountFromOne() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(0.1).at(0));
    }
}
