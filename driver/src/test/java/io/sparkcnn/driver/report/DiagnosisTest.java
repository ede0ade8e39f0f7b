package io.sparkcnn.driver.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiagnosisTest {
    private static Diagnosis.Split split(double acc, double loss) {
        return new Diagnosis.Split(acc, loss);
    }

    @Test
    void trainFarAboveValidationIsOverfitting() {
        Diagnosis d = Diagnosis.of(split(0.99, 0.03), split(0.88, 0.45), split(0.87, 0.47), 10);
        assertEquals(Diagnosis.Verdict.OVERFITTING, d.verdict());
        assertTrue(d.text().contains("99.00%") && d.text().contains("88.00%") && d.text().contains("11.0 points"), d.text());
    }

    @Test
    void lowEverywhereIsUnderfitting() {
        Diagnosis d = Diagnosis.of(split(0.55, 1.3), split(0.54, 1.32), split(0.53, 1.35), 10);
        assertEquals(Diagnosis.Verdict.UNDERFITTING, d.verdict());
        assertTrue(d.text().contains("55.00%") && d.text().contains("chance is 10.00%"), d.text());
    }

    @Test
    void closeAndHighIsHealthy() {
        Diagnosis d = Diagnosis.of(split(0.93, 0.19), split(0.913, 0.25), split(0.909, 0.27), 10);
        assertEquals(Diagnosis.Verdict.HEALTHY, d.verdict());
        assertTrue(d.text().contains("90.90%"), d.text());
    }

    @Test
    void aTwoClassProblemNeedsMoreThanChanceToCountAsFitted() {
        assertEquals(Diagnosis.Verdict.UNDERFITTING,
                Diagnosis.of(split(0.70, 0.6), split(0.69, 0.6), split(0.69, 0.6), 2).verdict());
    }

    @Test
    void unknownTrainingFiguresAreNotGuessed() {
        Diagnosis d = Diagnosis.of(split(Double.NaN, Double.NaN), split(Double.NaN, Double.NaN), split(0.9, 0.3), 10);
        assertEquals(Diagnosis.Verdict.NOT_ASSESSED, d.verdict());
        assertTrue(d.text().contains("test 90.00%"), d.text());
    }
}
