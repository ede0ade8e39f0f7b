package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StratifiedSplitTest {
    record Item(String id, int label) {
    }

    static final List<String> CLASSES = List.of("a", "b", "c");

    /** 100 items of class a, 50 of b, 20 of c. */
    static List<Item> items() {
        List<Item> items = new ArrayList<>();
        int[] sizes = {100, 50, 20};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < sizes[c]; i++) {
                items.add(new Item(CLASSES.get(c) + i, c));
            }
        }
        return items;
    }

    static long count(List<Item> part, int label) {
        return part.stream().filter(i -> i.label() == label).count();
    }

    @Test
    void keepsClassProportionsInEveryPart() {
        var parts = StratifiedSplit.split(items(), Item::label, CLASSES, 0.1, 0.2, 42);
        // per class: test = round(n * 0.2), validation = round(n * 0.1), train = the rest
        assertEquals(List.of(20L, 10L, 4L), List.of(count(parts.test(), 0), count(parts.test(), 1), count(parts.test(), 2)));
        assertEquals(List.of(10L, 5L, 2L),
                List.of(count(parts.validation(), 0), count(parts.validation(), 1), count(parts.validation(), 2)));
        assertEquals(List.of(70L, 35L, 14L), List.of(count(parts.train(), 0), count(parts.train(), 1), count(parts.train(), 2)));
    }

    @Test
    void partsAreDisjointAndCoverTheInput() {
        var parts = StratifiedSplit.split(items(), Item::label, CLASSES, 0.1, 0.2, 42);
        Set<Item> seen = new HashSet<>();
        for (List<Item> part : List.of(parts.train(), parts.validation(), parts.test())) {
            for (Item i : part) {
                assertTrue(seen.add(i), "in two parts: " + i);
            }
        }
        assertEquals(new HashSet<>(items()), seen);
    }

    @Test
    void sameSeedGivesTheSameSplitInTheSameOrder() {
        var a = StratifiedSplit.split(items(), Item::label, CLASSES, 0.1, 0.2, 42);
        var b = StratifiedSplit.split(items(), Item::label, CLASSES, 0.1, 0.2, 42);
        assertEquals(a.train(), b.train());
        assertEquals(a.validation(), b.validation());
        assertEquals(a.test(), b.test());
    }

    @Test
    void anotherSeedGivesAnotherSplit() {
        var a = StratifiedSplit.split(items(), Item::label, CLASSES, 0.1, 0.2, 42);
        var b = StratifiedSplit.split(items(), Item::label, CLASSES, 0.1, 0.2, 43);
        assertNotEquals(new HashSet<>(a.test()), new HashSet<>(b.test()));
    }

    @Test
    void trainIsMixedNotGroupedByClass() {
        var parts = StratifiedSplit.split(items(), Item::label, CLASSES, 0.1, 0.2, 42);
        List<Item> first = parts.train().subList(0, 20);
        assertTrue(first.stream().map(Item::label).distinct().count() > 1, "shuffled across classes");
    }

    @Test
    void classWithTooFewItemsNamesTheClassAndTheMinimum() {
        List<Item> items = new ArrayList<>(items());
        items.add(new Item("d0", 3));
        items.add(new Item("d1", 3));
        List<String> classes = List.of("a", "b", "c", "d");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> StratifiedSplit.split(items, Item::label, classes, 0.1, 0.2, 42));
        // needs round(n*0.2) >= 1 (n >= 3), round(n*0.1) >= 1 (n >= 5) and one left for training: 5
        assertTrue(e.getMessage().contains("class 'd' has 2 image(s)"), e.getMessage());
        assertTrue(e.getMessage().contains("at least 5"), e.getMessage());
    }

    @Test
    void subsampleKeepsAboutTheRequestedCountPerClass() {
        // 20% of each class (a half would not tell the kept part from the dropped one)
        List<Item> kept = StratifiedSplit.subsample(items(), Item::label, 3, 34, 1);
        assertEquals(34, kept.size(), 1);
        assertEquals(20, count(kept, 0));
        assertEquals(10, count(kept, 1));
        assertEquals(4, count(kept, 2));
        assertEquals(items(), StratifiedSplit.subsample(items(), Item::label, 3, 0, 1), "0 keeps everything");
    }
}
