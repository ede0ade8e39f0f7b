package io.sparkcnn.workers;

import java.io.Serializable;

/**
 * A decoded example at the network's input shape: 8-bit pixels, channels-first (C, H, W). Kept as bytes
 * so a cached split costs one byte per pixel; scaling to floats happens when minibatches are built.
 */
public record LabeledImage(String id, int label, byte[] pixels) implements Serializable {
}
