package io.sparkcnn.workers;

import java.io.Serializable;
import java.util.Locale;

/**
 * What sets a training minibatch apart from the ones evaluation and prediction build from the same images:
 * {@code data.augment.*} and {@code model.label-smoothing}. Only the training split's minibatches, rebuilt each
 * epoch, get them; validation and test loss stay plain cross-entropy on the images as they are.
 */
public record TrainingBatches(Augmentation augmentation, double labelSmoothing) implements Serializable {
    public static final TrainingBatches NONE = new TrainingBatches(Augmentation.NONE, 0);

    public TrainingBatches {
        if (augmentation == null) {
            throw new IllegalArgumentException("augmentation must not be null (Augmentation.NONE for none)");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
        }
    }

    /** True when training minibatches equal evaluation ones. */
    public boolean isNone() {
        return augmentation.isNone() && labelSmoothing == 0;
    }

    /** One line for the log. */
    public String describe() {
        return "augmentation: " + augmentation.describe() + "; label smoothing: "
                + (labelSmoothing == 0 ? "none" : String.format(Locale.ROOT, "%s", labelSmoothing));
    }
}
