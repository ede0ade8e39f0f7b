package io.sparkcnn.workers;

import java.io.Serializable;
import java.util.Objects;

/**
 * One labelled example as the driver hands it to the workers: either a file URI to read and decode on
 * the worker, or pixels already in memory (IDX data, 8-bit, channels-first) that only need resizing.
 */
public final class SampleRef implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final int label;
    private final byte[] inlinePixels;
    private final int inlineChannels;
    private final int inlineHeight;
    private final int inlineWidth;

    private SampleRef(String id, int label, byte[] inlinePixels, int channels, int height, int width) {
        this.id = Objects.requireNonNull(id, "id");
        this.label = label;
        this.inlinePixels = inlinePixels;
        this.inlineChannels = channels;
        this.inlineHeight = height;
        this.inlineWidth = width;
    }

    /** An image file to be read through the Hadoop FileSystem and decoded on a worker. */
    public static SampleRef file(String uri, int label) {
        return new SampleRef(uri, label, null, 0, 0, 0);
    }

    /** Pixels already decoded (IDX records): 8-bit, channels-first. */
    public static SampleRef inline(String id, int label, byte[] pixels, int channels, int height, int width) {
        if (pixels.length != channels * height * width) {
            throw new IllegalArgumentException(id + ": " + pixels.length + " bytes for " + height + "x" + width + "x" + channels);
        }
        return new SampleRef(id, label, pixels, channels, height, width);
    }

    public String id() {
        return id;
    }

    public int label() {
        return label;
    }

    public boolean isInline() {
        return inlinePixels != null;
    }

    public byte[] inlinePixels() {
        return inlinePixels;
    }

    public int inlineChannels() {
        return inlineChannels;
    }

    public int inlineHeight() {
        return inlineHeight;
    }

    public int inlineWidth() {
        return inlineWidth;
    }
}
