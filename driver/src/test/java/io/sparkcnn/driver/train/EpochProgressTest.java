package io.sparkcnn.driver.train;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When an epoch's progress line is due and what it says, on a scripted clock (no Spark, no waiting). */
class EpochProgressTest {
    private static final long S = 1_000_000_000L;
    private static final long START = 1_000 * S; // System.nanoTime() has an arbitrary origin

    /** Epoch 3 of 30, 45,000 images, a line at least every 15 s. */
    private static EpochProgress cifar() {
        return new EpochProgress(3, 30, 45_000, START, 15 * S);
    }

    private static Optional<String> at(EpochProgress p, double seconds, long images) {
        return p.update(START + Math.round(seconds * S), images, images / 64 * 1.5, images / 64);
    }

    @Test
    void theLineSaysImagesRateEtaAndMeanLossAsKerasDoes() {
        EpochProgress p = cifar();
        // 12,800 images in 90 s: 142.2 images/s; 32,200 left: 226.4 s
        Optional<String> line = p.update(START + 90 * S, 12_800, 246.9, 200);
        assertEquals(Optional.of("Epoch 3/30 - 12,800/45,000 images (28%) - 142 images/s - ETA 3m 46s - loss: 1.2345"),
                line);
    }

    @Test
    void atMostOneLinePerIntervalEvenWhenTenthsGoBy() {
        EpochProgress p = cifar();
        assertEquals(Optional.empty(), at(p, 5, 1_000));
        assertEquals(Optional.empty(), at(p, 14.9, 4_500), "10% after 14.9 s: not yet");
        assertTrue(at(p, 15, 4_600).orElseThrow().contains(" 4,600/45,000 images (10%)"), "15 s");
        assertEquals(Optional.empty(), at(p, 16, 9_000), "20%, 1 s after the last line");
        assertEquals(Optional.empty(), at(p, 29.9, 13_600), "30%, 14.9 s after");
        assertTrue(at(p, 30, 13_700).orElseThrow().contains("(30%)"), "15 s after the last line");
    }

    @Test
    void aQuietEpochGetsALineEveryIntervalEvenWithinOneTenth() {
        EpochProgress p = new EpochProgress(1, 1, 1_000_000, START, 15 * S);
        assertEquals(Optional.empty(), at(p, 14, 100));
        assertTrue(at(p, 15, 200).orElseThrow().contains(" 200/1,000,000 images (0%)"));
        assertEquals(Optional.empty(), at(p, 29, 300));
        assertTrue(at(p, 30, 400).isPresent());
        assertTrue(at(p, 46, 500).isPresent());
    }

    @Test
    void withALongIntervalEachNewTenthGetsALineAtMostEvery15Seconds() {
        EpochProgress p = new EpochProgress(3, 30, 45_000, START, 600 * S);
        assertEquals(Optional.empty(), at(p, 14, 4_500), "10% after 14 s");
        assertTrue(at(p, 15, 4_600).orElseThrow().contains("(10%)"));
        assertEquals(Optional.empty(), at(p, 40, 8_900), "still 19.7%");
        assertTrue(at(p, 41, 13_600).orElseThrow().contains("(30%)"), "20% and 30% crossed: one line");
        assertEquals(Optional.empty(), at(p, 50, 18_000), "40%, 9 s after the last line");
        assertTrue(at(p, 56, 18_100).orElseThrow().contains("(40%)"));
        assertEquals(Optional.empty(), at(p, 200, 18_900), "the same tenth, long before the interval");
        assertTrue(at(p, 656, 19_000).isPresent(), "the interval after the last line");
    }

    @Test
    void noLineAtZeroImagesOrAtTheEndOfTheEpoch() {
        EpochProgress p = cifar();
        assertEquals(Optional.empty(), at(p, 60, 0), "DL4J counts the RDD before the first round");
        assertEquals(Optional.empty(), at(p, 300, 45_000), "100%: the epoch line follows");
        assertEquals(Optional.empty(), at(p, 400, 45_064), "a recomputed task counted twice: still the end");
    }

    @Test
    void theCountNeverGoesBackwards() {
        EpochProgress p = cifar();
        assertTrue(at(p, 20, 9_000).isPresent());
        assertEquals(Optional.empty(), at(p, 40, 8_000), "an older value read late is no news");
        assertTrue(at(p, 41, 9_100).orElseThrow().contains(" 9,100/45,000 images (20%)"));
    }

    @Test
    void aTimedLineNeedsImagesDoneSinceTheLastLine() {
        EpochProgress p = cifar();
        assertTrue(at(p, 15, 1_000).isPresent());
        assertEquals(Optional.empty(), at(p, 40, 1_000), "a task that fitted nothing (an empty split partition)");
        assertTrue(at(p, 41, 1_064).isPresent());
    }

    @Test
    void withoutALossYetTheLineLeavesItOut() {
        EpochProgress p = cifar();
        assertEquals(Optional.of("Epoch 3/30 - 6,750/45,000 images (15%) - 450 images/s - ETA 1m 25s"),
                p.update(START + 15 * S, 6_750, 0, 0));
    }

    @Test
    void etaInSecondsThenMinutesThenHours() {
        assertEquals("0s", EpochProgress.duration(0));
        assertEquals("59s", EpochProgress.duration(59));
        assertEquals("1m 00s", EpochProgress.duration(60));
        assertEquals("3m 07s", EpochProgress.duration(187));
        assertEquals("59m 59s", EpochProgress.duration(3599));
        assertEquals("1h 00m", EpochProgress.duration(3600));
        assertEquals("2h 05m", EpochProgress.duration(2 * 3600 + 5 * 60 + 10));
        assertEquals("27h 47m", EpochProgress.duration(100_000));
    }

    @Test
    void refusesANegativeIntervalOrTotal() {
        assertThrows(IllegalArgumentException.class, () -> new EpochProgress(1, 1, 10, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new EpochProgress(1, 1, -1, 0, S));
    }
}
