package io.sparkcnn.driver.config;

import java.io.Serializable;

/**
 * {@code output.*}: the run folder. {@code resume} insists on continuing an unfinished run (an error when
 * there is none); without it an unfinished run at the same path is still resumed, unless {@code overwrite}.
 */
public record OutputConfig(String path, boolean overwrite, boolean resume) implements Serializable {
}
