package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.InvalidInputException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded, stratified split: each class is shuffled with a seed derived from the split seed and the
 * class, and cut into test, validation and train by the configured fractions, so every split keeps the
 * class proportions and the same seed gives the same split. Input order must be deterministic (the
 * listers sort by path).
 */
public final class StratifiedSplit {
    private StratifiedSplit() {
    }

    /** The three parts, each in a seeded shuffled order. */
    public record Parts<T>(List<T> train, List<T> validation, List<T> test) {
    }

    public static <T> Parts<T> split(List<T> items, java.util.function.ToIntFunction<T> label, List<String> classNames,
                                     double validationFraction, double testFraction, long seed) {
        List<List<T>> byClass = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (T item : items) {
            byClass.get(label.applyAsInt(item)).add(item);
        }
        List<T> train = new ArrayList<>();
        List<T> val = new ArrayList<>();
        List<T> test = new ArrayList<>();
        for (int c = 0; c < byClass.size(); c++) {
            List<T> members = byClass.get(c);
            int n = members.size();
            int nTest = (int) Math.round(n * testFraction);
            int nVal = (int) Math.round(n * validationFraction);
            int needed = 1 + (validationFraction > 0 ? 1 : 0) + (testFraction > 0 ? 1 : 0);
            if ((testFraction > 0 && nTest == 0) || (validationFraction > 0 && nVal == 0) || n - nTest - nVal < 1) {
                int minimum = minimumFor(validationFraction, testFraction, needed);
                throw new InvalidInputException("class '" + classNames.get(c) + "' has " + n + " image(s); the split"
                        + " (validation " + validationFraction + ", test " + testFraction + ") needs at least "
                        + minimum + " per class");
            }
            Collections.shuffle(members, new Random(mix(seed, c)));
            test.addAll(members.subList(0, nTest));
            val.addAll(members.subList(nTest, nTest + nVal));
            train.addAll(members.subList(nTest + nVal, n));
        }
        Random order = new Random(mix(seed, -1));
        Collections.shuffle(train, order);
        Collections.shuffle(val, order);
        Collections.shuffle(test, order);
        return new Parts<>(train, val, test);
    }

    /** Takes about {@code fraction} of each class, seeded; used to carve validation from a given training set. */
    public static <T> List<T> subsample(List<T> items, java.util.function.ToIntFunction<T> label, int numClasses,
                                        int maxItems, long seed) {
        if (maxItems <= 0 || maxItems >= items.size()) {
            return items;
        }
        double keep = (double) maxItems / items.size();
        // the "test" part of this split is what is dropped; the rest, about maxItems, is kept
        Parts<T> parts = split(items, label, classNamesOf(numClasses), 0.0, 1.0 - keep, seed);
        List<T> kept = new ArrayList<>(parts.train());
        Collections.shuffle(kept, new Random(mix(seed, -2)));
        return kept;
    }

    private static List<String> classNamesOf(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(String.valueOf(i));
        }
        return names;
    }

    private static int minimumFor(double val, double test, int needed) {
        for (int n = needed; n < 100_000; n++) {
            long nt = Math.round(n * test);
            long nv = Math.round(n * val);
            if ((test <= 0 || nt > 0) && (val <= 0 || nv > 0) && n - nt - nv >= 1) {
                return n;
            }
        }
        return needed;
    }

    /** SplitMix64-style mixing so neighbouring seeds and classes give unrelated streams. */
    static long mix(long seed, long salt) {
        long z = seed * 0x9E3779B97F4A7C15L + salt * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
