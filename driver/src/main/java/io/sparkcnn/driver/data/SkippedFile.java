package io.sparkcnn.driver.data;

import java.io.Serializable;

/** An input image that could not be used, and why. */
public record SkippedFile(String path, String split, String reason) implements Serializable {
}
