package io.sparkcnn.driver.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EvaluationStatsTest {
    private static final byte[] PX = {1, 2, 3, 4};

    @Test
    void countsAccuracyTop2LossAndConfusion() {
        EvaluationStats s = new EvaluationStats(3, 10);
        s.add("a", 0, new float[] {0.7f, 0.2f, 0.1f}, PX);  // right
        s.add("b", 1, new float[] {0.5f, 0.4f, 0.1f}, PX);  // wrong, true class second: top-2 hit
        s.add("c", 2, new float[] {0.6f, 0.3f, 0.1f}, PX);  // wrong, true class third
        s.add("d", 2, new float[] {0.1f, 0.1f, 0.8f}, PX);  // right
        assertEquals(4, s.count());
        assertEquals(0.5, s.accuracy(), 1e-12);
        assertEquals(0.75, s.top2Accuracy(), 1e-12);
        double loss = -(Math.log(0.7f) + Math.log(0.4f) + Math.log(0.1f) + Math.log(0.8f)) / 4;
        assertEquals(loss, s.meanLoss(), 1e-6);
        assertArrayEquals(new long[] {1, 0, 0}, s.confusion()[0]);
        assertArrayEquals(new long[] {1, 0, 0}, s.confusion()[1]);
        assertArrayEquals(new long[] {1, 0, 1}, s.confusion()[2]);
        assertEquals(List.of("c", "b"), s.mistakes().stream().map(EvaluationStats.Mistake::id).toList(),
                "most confident mistake first (0.6 before 0.5)");
    }

    @Test
    void mergingKeepsOnlyTheMostConfidentMistakes() {
        EvaluationStats left = new EvaluationStats(2, 3);
        EvaluationStats right = new EvaluationStats(2, 3);
        for (int i = 0; i < 10; i++) {
            float p = 0.52f + i * 0.04f;
            (i % 2 == 0 ? left : right).add("m" + i, 0, new float[] {1 - p, p}, PX);
        }
        EvaluationStats merged = left.merge(right);
        assertEquals(10, merged.count());
        assertEquals(0, merged.accuracy(), 1e-12);
        assertEquals(List.of("m9", "m8", "m7"), merged.mistakes().stream().map(EvaluationStats.Mistake::id).toList());
    }
}
