package io.sparkcnn.workers;

import java.io.Serializable;

/** The input shape the network sees, channels first as ND4J stores it. */
public record ImageShape(int channels, int height, int width) implements Serializable {
    public ImageShape {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (gray) or 3 (rgb), got " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("height and width must be positive, got " + height + "x" + width);
        }
    }

    public int pixels() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return height + "x" + width + "x" + channels;
    }
}
