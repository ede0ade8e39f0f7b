package io.sparkcnn.driver.train;

import io.sparkcnn.driver.config.EarlyStoppingConfig;
import io.sparkcnn.driver.config.EarlyStoppingConfig.Monitor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras EarlyStopping decisions on scripted score sequences. */
class EarlyStoppingTest {

    /** Feeds the values until a stop; returns the epoch it stopped after, or -1. */
    static int run(EarlyStopping es, double... values) {
        for (int i = 0; i < values.length; i++) {
            es.update(i + 1, values[i]);
            if (es.shouldStop()) {
                return i + 1;
            }
        }
        return -1;
    }

    static EarlyStopping of(Monitor monitor, double minDelta, int patience) {
        return new EarlyStopping(new EarlyStoppingConfig(monitor, minDelta, patience, true));
    }

    @Test
    void lossStopsAfterPatienceEpochsWithoutImprovement() {
        EarlyStopping es = of(Monitor.VAL_LOSS, 0, 2);
        assertEquals(4, run(es, 1.0, 0.9, 0.95, 0.96, 0.5));
        assertEquals(2, es.bestEpoch());
        assertEquals(0.9, es.best());
        assertEquals(2, es.waited());
    }

    @Test
    void improvementSmallerThanMinDeltaDoesNotCount() {
        EarlyStopping es = of(Monitor.VAL_LOSS, 0.05, 2);
        assertEquals(3, run(es, 1.0, 0.97, 0.96, 0.90));
        assertEquals(1, es.bestEpoch());
    }

    @Test
    void improvementBiggerThanMinDeltaResetsPatience() {
        EarlyStopping es = of(Monitor.VAL_LOSS, 0.05, 2);
        assertEquals(5, run(es, 1.0, 0.97, 0.90, 0.89, 0.88, 0.1));
        assertEquals(3, es.bestEpoch());
        assertEquals(0.90, es.best());
    }

    @Test
    void accuracyMustGoUpAndEqualIsNoImprovement() {
        EarlyStopping es = of(Monitor.VAL_ACCURACY, 0, 2);
        assertEquals(4, run(es, 0.5, 0.6, 0.6, 0.59));
        assertEquals(2, es.bestEpoch());
        assertEquals(0.6, es.best());
    }

    @Test
    void accuracyWithMinDelta() {
        EarlyStopping es = of(Monitor.VAL_ACCURACY, 0.01, 1);
        assertTrue(es.update(1, 0.80));
        assertTrue(es.update(2, 0.82));
        assertFalse(es.update(3, 0.825));
        assertTrue(es.shouldStop());
        assertEquals(2, es.bestEpoch());
    }

    @Test
    void patienceOneStopsAtTheFirstMiss() {
        EarlyStopping es = of(Monitor.VAL_LOSS, 0, 1);
        assertEquals(3, run(es, 3.0, 2.0, 2.5));
        assertEquals(2, es.bestEpoch());
    }

    @Test
    void neverStopsWhileImproving() {
        EarlyStopping es = of(Monitor.VAL_LOSS, 0, 1);
        assertEquals(-1, run(es, 5, 4, 3, 2, 1));
        assertEquals(5, es.bestEpoch());
    }

    @Test
    void nanNeverImproves() {
        EarlyStopping es = of(Monitor.VAL_LOSS, 0, 2);
        assertEquals(3, run(es, 1.0, Double.NaN, Double.NaN));
        assertEquals(1, es.bestEpoch());
    }

    @Test
    void updateAfterStopIsAnError() {
        EarlyStopping es = of(Monitor.VAL_LOSS, 0, 1);
        run(es, 1.0, 2.0);
        assertThrows(IllegalStateException.class, () -> es.update(3, 0.1));
    }
}
