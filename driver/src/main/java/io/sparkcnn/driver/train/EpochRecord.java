package io.sparkcnn.driver.train;

/** One epoch's line of the history, with Keras' names in metrics.json. */
public record EpochRecord(int epoch, double loss, double valLoss, double valAccuracy, double seconds,
                          double imagesPerSecond, long trainImages, boolean improved) {
}
