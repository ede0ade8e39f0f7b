package io.sparkcnn.driver.config;

import java.io.Serializable;

/** {@code output.*}: the run folder. */
public record OutputConfig(String path, boolean overwrite) implements Serializable {
}
