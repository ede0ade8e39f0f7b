package io.sparkcnn.driver.output;

/** Another live run holds the registry lock: try again later (the jobs exit with 75, EX_TEMPFAIL). */
public final class FolderLockedException extends RuntimeException {
    public FolderLockedException(String message) {
        super(message);
    }
}
