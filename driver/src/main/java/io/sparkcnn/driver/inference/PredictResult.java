package io.sparkcnn.driver.inference;

import java.util.Map;

/** What a predict run wrote: the output folder, how many rows, how many with an error, predictions per class. */
public record PredictResult(String outputPath, long rows, long errors, Map<String, Long> perClass) {
}
