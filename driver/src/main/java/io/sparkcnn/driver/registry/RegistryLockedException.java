package io.sparkcnn.driver.registry;

/** Another live run holds the registry lock: try again later (the jobs exit with 75, EX_TEMPFAIL). */
public final class RegistryLockedException extends RuntimeException {
    public RegistryLockedException(String message) {
        super(message);
    }
}
