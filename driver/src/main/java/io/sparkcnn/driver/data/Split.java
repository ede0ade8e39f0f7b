package io.sparkcnn.driver.data;

/** The three parts a dataset is split into; {@link #jsonName()} is how manifest.json, metrics and reports name them. */
public enum Split {
    TRAIN, VALIDATION, TEST;

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return jsonName();
    }
}
