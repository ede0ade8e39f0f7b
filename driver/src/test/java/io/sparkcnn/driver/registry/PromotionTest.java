package io.sparkcnn.driver.registry;

import io.sparkcnn.driver.config.RegistryConfig.Metric;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The promotion rule on scripted scores: floor, margin, direction of the metric, ties. */
class PromotionTest {

    @Test
    void firstModelIsPromotedOnlyAboveTheFloor() {
        Promotion ok = Promotion.decide(Metric.ACCURACY, 0.01, 0.5, 0.62, Double.NaN, "");
        assertTrue(ok.promote());
        assertTrue(ok.reason().contains("no champion yet") && ok.reason().contains("0.6200"), ok.reason());
        Promotion low = Promotion.decide(Metric.ACCURACY, 0.01, 0.5, 0.42, Double.NaN, "");
        assertFalse(low.promote());
        assertTrue(low.reason().contains("below the floor 0.5000") && low.reason().contains("registry.floor"), low.reason());
    }

    @Test
    void challengerMustBeatTheChampionByTheMargin() {
        Promotion win = Promotion.decide(Metric.ACCURACY, 0.01, 0.5, 0.815, 0.80, "r1");
        assertTrue(win.promote(), win.reason());
        assertTrue(win.reason().contains("better by 0.0150") && win.reason().contains("r1 0.8000"), win.reason());
        Promotion small = Promotion.decide(Metric.ACCURACY, 0.01, 0.5, 0.805, 0.80, "r1");
        assertFalse(small.promote());
        assertTrue(small.reason().contains("better by 0.0050") && small.reason().contains("at least 0.0100"), small.reason());
        Promotion worse = Promotion.decide(Metric.MACRO_F1, 0.0, 0.0, 0.70, 0.80, "r1");
        assertFalse(worse.promote());
        assertTrue(worse.reason().contains("macro_f1") && worse.reason().contains("worse by 0.1000"), worse.reason());
    }

    @Test
    void exactlyTheMarginOrATieWithZeroMarginPromotes() {
        assertTrue(Promotion.decide(Metric.ACCURACY, 0.01, 0.5, 0.81, 0.80, "r1").promote());
        assertTrue(Promotion.decide(Metric.ACCURACY, 0.0, 0.5, 0.80, 0.80, "r1").promote());
    }

    @Test
    void lossIsBetterWhenLowerAndItsFloorIsACeiling() {
        assertTrue(Promotion.decide(Metric.LOSS, 0.02, 1.0, 0.40, 0.45, "r1").promote());
        assertFalse(Promotion.decide(Metric.LOSS, 0.02, 1.0, 0.44, 0.45, "r1").promote());
        assertFalse(Promotion.decide(Metric.LOSS, 0.02, 1.0, 0.50, 0.45, "r1").promote());
        Promotion tooHigh = Promotion.decide(Metric.LOSS, 0.0, 1.0, 1.2, Double.NaN, "");
        assertFalse(tooHigh.promote());
        assertTrue(tooHigh.reason().contains("is above the floor"), tooHigh.reason());
    }
}
