package io.sparkcnn.driver.train;

/**
 * One epoch's line of the history, with Keras' names in metrics.json. {@code learningRate} is the rate the
 * epoch trained with (Keras' History records it as {@code learning_rate}); NaN when unknown: an optimizer
 * without one (AdaDelta) or a history written before rates were recorded.
 */
public record EpochRecord(int epoch, double loss, double valLoss, double valAccuracy, double seconds,
                          double imagesPerSecond, long trainImages, boolean improved, double learningRate) {

    /** A record whose learning rate is unknown. */
    public EpochRecord(int epoch, double loss, double valLoss, double valAccuracy, double seconds,
                       double imagesPerSecond, long trainImages, boolean improved) {
        this(epoch, loss, valLoss, valAccuracy, seconds, imagesPerSecond, trainImages, improved, Double.NaN);
    }

    public EpochRecord withLearningRate(double rate) {
        return new EpochRecord(epoch, loss, valLoss, valAccuracy, seconds, imagesPerSecond, trainImages, improved, rate);
    }
}
