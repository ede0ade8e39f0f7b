package io.sparkcnn.driver.config;

import io.sparkcnn.driver.common.InvalidInputException;

import java.io.Serializable;

/**
 * {@code output.*}: the run folder. {@code resume} insists on continuing an unfinished run (an error when
 * there is none); without it an unfinished run at the same path is still resumed, unless {@code overwrite}.
 */
public record OutputConfig(String path, boolean overwrite, boolean resume) implements Serializable {

    static OutputConfig from(ConfigReader r) {
        String outputPath = r.string("output.path");
        if (outputPath.isBlank()) {
            throw new InvalidInputException("output.path must not be empty");
        }
        OutputConfig output = new OutputConfig(outputPath, r.bool("output.overwrite"), r.bool("output.resume"));
        if (output.overwrite() && output.resume()) {
            throw new InvalidInputException("output.resume and output.overwrite exclude each other: resume continues the"
                    + " unfinished run at output.path, overwrite discards it");
        }
        return output;
    }
}
