package io.sparkcnn.driver.train;

import io.sparkcnn.driver.config.EarlyStoppingConfig.Monitor;
import io.sparkcnn.driver.config.ReduceLrOnPlateauConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras ReduceLROnPlateau decisions on scripted sequences, alone and over a schedule. */
class ReduceLrOnPlateauTest {

    private static ReduceLrOnPlateau of(Monitor monitor, double factor, int patience, double minDelta, double minLr,
                                        int cooldown) {
        return new ReduceLrOnPlateau(new ReduceLrOnPlateauConfig(true, monitor, factor, patience, minDelta, minLr,
                cooldown));
    }

    /** The rate of each epoch when {@code values} are the monitored values, over a constant {@code lr}. */
    private static List<Double> rates(ReduceLrOnPlateau p, double lr, double... values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            double epochRate = p.apply(lr);
            out.add(epochRate);
            p.update(v, epochRate);
        }
        return out;
    }

    @Test
    void reducesAfterPatienceEpochsWithoutImprovement() {
        ReduceLrOnPlateau p = of(Monitor.VAL_LOSS, 0.1, 2, 0, 0, 0);
        assertEquals(List.of(1.0, 1.0, 1.0, 1.0, 0.1, 0.1), rates(p, 1.0, 0.5, 0.4, 0.45, 0.41, 0.42, 0.3));
        assertEquals(0, p.waited(), "epoch 6 improved");
        assertEquals(0.1, p.multiplier(), 1e-15);
    }

    @Test
    void anImprovementSmallerThanMinDeltaDoesNotCount() {
        ReduceLrOnPlateau p = of(Monitor.VAL_LOSS, 0.5, 2, 0.01, 0, 0);
        // 0.495 and 0.4905 are not below best - 0.01: two epochs without improvement
        assertEquals(List.of(1.0, 1.0, 1.0, 0.5), rates(p, 1.0, 0.5, 0.495, 0.4905, 0.2));
    }

    @Test
    void accuracyIsBetterWhenHigher() {
        ReduceLrOnPlateau p = of(Monitor.VAL_ACCURACY, 0.5, 1, 0, 0, 0);
        assertEquals(List.of(1.0, 1.0, 1.0, 0.5, 0.25), rates(p, 1.0, 0.6, 0.7, 0.65, 0.69, 0.9));
    }

    @Test
    void cooldownEpochsDoNotCountAsWaiting() {
        // Keras: after a reduction, cooldown epochs decrement the counter and reset the wait, and are not counted
        ReduceLrOnPlateau p = of(Monitor.VAL_LOSS, 0.5, 1, 0, 0, 2);
        // epoch 2 reduces (cooldown 2); epoch 3 in cooldown; epoch 4 leaves it and counts: reduces again
        assertEquals(List.of(1.0, 1.0, 0.5, 0.5, 0.25), rates(p, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0));
        ReduceLrOnPlateau noCooldown = of(Monitor.VAL_LOSS, 0.5, 1, 0, 0, 0);
        assertEquals(List.of(1.0, 1.0, 0.5, 0.25, 0.125), rates(noCooldown, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0));
    }

    @Test
    void neverBelowMinLrAndNoMoreReductionsThere() {
        ReduceLrOnPlateau p = of(Monitor.VAL_LOSS, 0.1, 1, 0, 0.05, 0);
        assertEquals(List.of(1.0, 1.0, 0.1, 0.05, 0.05), rates(p, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0));
        assertEquals(0.01, p.multiplier(), 1e-15, "no reduction once the rate sits at min_lr");
    }

    @Test
    void patienceZeroReducesOnEveryEpochThatDoesNotImprove() {
        ReduceLrOnPlateau p = of(Monitor.VAL_LOSS, 0.5, 0, 0, 0, 0);
        assertEquals(List.of(1.0, 1.0, 0.5, 0.5), rates(p, 1.0, 1.0, 2.0, 0.5, 0.6));
    }

    @Test
    void reductionsMultiplyTheSchedule() {
        ReduceLrOnPlateau p = of(Monitor.VAL_LOSS, 0.5, 1, 0, 0.001, 0);
        double[] scheduled = {0.1, 0.1, 0.01, 0.01};
        double[] values = {1.0, 2.0, 0.5, 0.4};
        double[] expected = {0.1, 0.1, 0.005, 0.005};
        for (int e = 0; e < values.length; e++) {
            double rate = p.apply(scheduled[e]);
            assertEquals(expected[e], rate, 1e-15, "epoch " + (e + 1));
            p.update(values[e], rate);
        }
        assertEquals(0.001, p.apply(0.0001), 0.0, "the schedule's own fall is floored at min_lr too");
    }

    @Test
    void disabledLeavesTheScheduleAlone() {
        ReduceLrOnPlateau p = new ReduceLrOnPlateau(ReduceLrOnPlateauConfig.disabled());
        for (int e = 0; e < 30; e++) {
            assertFalse(p.update(1.0, 0.1));
        }
        assertEquals(0.123, p.apply(0.123), 0.0);
    }

    @Test
    void aRestoredStateContinuesAsTheUninterruptedOne() {
        double[] values = {1.0, 2.0, 2.0, 2.0, 0.5, 0.6, 0.7, 0.8};
        ReduceLrOnPlateau whole = of(Monitor.VAL_LOSS, 0.5, 1, 0, 0, 2);
        List<Double> expected = rates(whole, 1.0, values);

        ReduceLrOnPlateau first = of(Monitor.VAL_LOSS, 0.5, 1, 0, 0, 2);
        double[] head = java.util.Arrays.copyOf(values, 3);
        List<Double> resumed = new ArrayList<>(rates(first, 1.0, head));
        ReduceLrOnPlateau second = of(Monitor.VAL_LOSS, 0.5, 1, 0, 0, 2);
        second.restore(first.state());
        resumed.addAll(rates(second, 1.0, java.util.Arrays.copyOfRange(values, 3, values.length)));
        assertEquals(expected, resumed);
        assertTrue(first.state().cooldownCounter() > 0, "the split falls inside a cooldown");

        ReduceLrOnPlateau fresh = of(Monitor.VAL_LOSS, 0.5, 1, 0, 0, 2);
        fresh.restore(null); // a checkpoint from before ReduceLROnPlateau existed
        assertEquals(1.0, fresh.multiplier());
    }
}
