package io.sparkcnn.workers;

import java.io.Serializable;

/** The result of decoding one sample on a worker: an image, or the reason it was skipped. */
public record DecodeOutcome(LabeledImage image, String skippedId, String reason) implements Serializable {

    public static DecodeOutcome ok(LabeledImage image) {
        return new DecodeOutcome(image, null, null);
    }

    public static DecodeOutcome skipped(String id, String reason) {
        return new DecodeOutcome(null, id, reason);
    }

    public boolean isOk() {
        return image != null;
    }
}
