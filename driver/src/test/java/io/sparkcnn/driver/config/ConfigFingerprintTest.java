package io.sparkcnn.driver.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ConfigFingerprintTest {
    private static final String BASE = "data { path = \"/d\", format = image-folder }";

    @Test
    void ignoresWhereTheRunIsWrittenButNotWhatItTrains() {
        TrainJobConfig a = ConfigLoader.fromString(BASE, "output.path=/runs/a");
        TrainJobConfig b = ConfigLoader.fromString(BASE, "output.path=/runs/b", "output.overwrite=true");
        TrainJobConfig c = ConfigLoader.fromString(BASE, "output.path=/runs/a", "training.max-epochs=7");
        assertEquals(ConfigFingerprint.of(a.resolved()), ConfigFingerprint.of(b.resolved()));
        assertNotEquals(ConfigFingerprint.of(a.resolved()), ConfigFingerprint.of(c.resolved()));
        assertEquals(List.of("training.max-epochs: 30 -> 7"), ConfigFingerprint.differences(a.resolved(), c.resolved()));
    }

    @Test
    void ignoresTheProgressLines() {
        TrainJobConfig a = ConfigLoader.fromString(BASE);
        TrainJobConfig b = ConfigLoader.fromString(BASE, "training.progress=false", "training.progress-interval=1m");
        assertEquals(ConfigFingerprint.of(a.resolved()), ConfigFingerprint.of(b.resolved()));
        assertEquals(List.of(), ConfigFingerprint.differences(a.resolved(), b.resolved()));
    }

    @Test
    void augmentationAndLabelSmoothingChangeWhatARunTrains() {
        TrainJobConfig a = ConfigLoader.fromString(BASE);
        TrainJobConfig b = ConfigLoader.fromString(BASE, "data.augment.crop-padding=4", "model.label-smoothing=0.1");
        assertEquals(List.of("data.augment.crop-padding: 0 -> 4", "model.label-smoothing: 0 -> 0.1"),
                ConfigFingerprint.differences(a.resolved(), b.resolved()));
        assertNotEquals(ConfigFingerprint.of(a.resolved()), ConfigFingerprint.of(b.resolved()));
    }

    @Test
    void layerListsAreComparedElementByElement() {
        String custom = BASE + "\nmodel { preset = custom, layers = [ { type = dense, units = 8 }, { type = output } ] }";
        TrainJobConfig a = ConfigLoader.fromString(custom);
        TrainJobConfig b = ConfigLoader.fromString(custom.replace("units = 8", "units = 16"));
        assertEquals(List.of("model.layers[0].units: 8 -> 16"), ConfigFingerprint.differences(a.resolved(), b.resolved()));
    }

    @Test
    void aStoredConfigParsesBackToTheSameFingerprint() {
        TrainJobConfig a = ConfigLoader.fromString(BASE, "model.optimizer=nesterov", "output.path=/runs/a");
        TrainJobConfig again = ConfigLoader.fromString(a.resolved(), "output.resume=true");
        assertEquals(ConfigFingerprint.of(a.resolved()), ConfigFingerprint.of(again.resolved()));
    }
}
