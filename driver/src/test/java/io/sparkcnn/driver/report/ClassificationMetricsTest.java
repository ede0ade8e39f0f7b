package io.sparkcnn.driver.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Precision, recall and F1 against values worked out by hand on a fixed set of predictions. */
class ClassificationMetricsTest {
    private static final double EPS = 1e-12;

    /**
     * 10 images, 3 classes. true/predicted pairs:
     * cat: cat, cat, cat, dog          (4 cats: 3 right, 1 called dog)
     * dog: dog, dog, cat               (3 dogs: 2 right, 1 called cat)
     * fox: fox, cat, dog               (3 foxes: 1 right)
     */
    private static final long[][] CONFUSION = {
            {3, 1, 0},
            {1, 2, 0},
            {1, 1, 1}};

    @Test
    void perClassValuesMatchTheHandComputation() {
        ClassificationMetrics m = ClassificationMetrics.of(CONFUSION, List.of("cat", "dog", "fox"));
        // cat: predicted cat 5 times (3 right) -> precision 3/5; 4 true cats -> recall 3/4; F1 = 2pr/(p+r) = 2/3
        ClassificationMetrics.PerClass cat = m.perClass().get(0);
        assertEquals(0.6, cat.precision(), EPS);
        assertEquals(0.75, cat.recall(), EPS);
        assertEquals(2 * 0.6 * 0.75 / 1.35, cat.f1(), EPS);
        assertEquals(4, cat.support());
        // dog: predicted 4 times (2 right) -> 1/2; 3 true dogs -> 2/3; F1 = 2*(1/2)(2/3)/(7/6) = 4/7
        ClassificationMetrics.PerClass dog = m.perClass().get(1);
        assertEquals(0.5, dog.precision(), EPS);
        assertEquals(2.0 / 3, dog.recall(), EPS);
        assertEquals(4.0 / 7, dog.f1(), EPS);
        // fox: predicted once, right -> 1; 3 true foxes -> 1/3; F1 = 2*(1/3)/(4/3) = 1/2
        ClassificationMetrics.PerClass fox = m.perClass().get(2);
        assertEquals(1.0, fox.precision(), EPS);
        assertEquals(1.0 / 3, fox.recall(), EPS);
        assertEquals(0.5, fox.f1(), EPS);

        assertEquals(0.6, m.accuracy(), EPS); // 6 of 10 on the diagonal
        assertEquals(10, m.total());
        assertEquals((0.6 + 0.5 + 1.0) / 3, m.macro().precision(), EPS);
        assertEquals((0.75 + 2.0 / 3 + 1.0 / 3) / 3, m.macro().recall(), EPS);
        assertEquals((2 * 0.6 * 0.75 / 1.35 + 4.0 / 7 + 0.5) / 3, m.macro().f1(), EPS);
        // weighted by support 4, 3, 3
        assertEquals((0.6 * 4 + 0.5 * 3 + 1.0 * 3) / 10, m.weighted().precision(), EPS);
        assertEquals((0.75 * 4 + 2.0 / 3 * 3 + 1.0 / 3 * 3) / 10, m.weighted().recall(), EPS);
        assertEquals(0.6, m.weighted().recall(), EPS); // weighted recall is accuracy
        assertEquals(List.of("fox", "dog", "cat"), m.worstFirst().stream().map(ClassificationMetrics.PerClass::name).toList());
    }

    @Test
    void aClassNeverPredictedOrAbsentScoresZeroNotNaN() {
        long[][] confusion = {{2, 0, 0}, {1, 0, 0}, {0, 0, 0}};
        ClassificationMetrics m = ClassificationMetrics.of(confusion, List.of("a", "b", "c"));
        assertEquals(0, m.perClass().get(1).precision());
        assertEquals(0, m.perClass().get(1).f1());
        assertEquals(0, m.perClass().get(2).recall());
        assertEquals(0, m.perClass().get(2).support());
        assertEquals(2.0 / 3, m.accuracy(), EPS);
    }

    @Test
    void namesMustMatchTheMatrix() {
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(CONFUSION, List.of("a", "b")));
    }
}
