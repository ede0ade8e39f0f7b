package io.sparkcnn.workers;

/** An image that cannot be used: unknown format, truncated or damaged data. */
public class ImageDecodeException extends Exception {
    public ImageDecodeException(String message) {
        super(message);
    }
}
