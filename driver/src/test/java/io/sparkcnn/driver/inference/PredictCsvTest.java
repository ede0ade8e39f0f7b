package io.sparkcnn.driver.inference;

import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.ImageShape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Predictions CSV fields a spreadsheet would run as formulas are written as text; undecodable images get an error row. */
class PredictCsvTest {
    static final String HYPERLINK = "=HYPERLINK(\"http://x\",\"y\")";

    @Test
    void formulaFieldsAreQuotedTextWithALeadingApostrophe() {
        assertEquals("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", PredictRunner.csv(HYPERLINK));
        assertEquals("\"'=cmd|' /C calc'!A0\"", PredictRunner.csv("=cmd|' /C calc'!A0"));
        for (String start : new String[] {"+", "-", "@", "\t", "\r"}) {
            assertEquals("\"'" + start.replace('\r', ' ') + "1+1\"", PredictRunner.csv(start + "1+1"), start);
        }
        // ordinary fields are unchanged, a formula sign inside is harmless
        assertEquals("T-shirt", PredictRunner.csv("T-shirt"));
        assertEquals("\"a,b\"", PredictRunner.csv("a,b"));
        assertEquals(List.of("file:/x/1.png", "'" + HYPERLINK, "0.5"),
                PredictRunner.fields("file:/x/1.png," + PredictRunner.csv(HYPERLINK) + ",0.5"));
    }

    @Test
    void aDecompressionBombGetsAnErrorRowNamingItsSize() throws Exception {
        String reason = "PNG image declares 30000x30000 pixels (900.0 megapixels), above data.max-image-pixels = 50000000";
        PredictPartition partition = new PredictPartition(null, new ImageShape(1, 28, 28), List.of("a", "b"), null);
        Iterator<String> lines = partition.call(List.of(DecodeOutcome.skipped("file:/in/bomb.png", reason)).iterator());
        List<String> out = new ArrayList<>();
        lines.forEachRemaining(out::add);
        assertEquals(List.of("path,predicted_class,probability,error,p_a,p_b",
                "file:/in/bomb.png,,,\"" + reason + "\",,"), out);
    }
}
