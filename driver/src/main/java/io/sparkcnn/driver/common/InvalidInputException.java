package io.sparkcnn.driver.common;

/**
 * Bad input the user can fix: a config key with an invalid value, or a dataset path that cannot be used.
 * The message names the key or path. Jobs exit with code 2 and write nothing.
 */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
