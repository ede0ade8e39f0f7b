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

    /** The resolved config as a version before {@code keys} existed wrote it. */
    private static String without(String resolved, String... keys) {
        com.typesafe.config.Config c = com.typesafe.config.ConfigFactory.parseString(resolved);
        for (String k : keys) {
            c = c.withoutPath(k);
        }
        return c.root().render(com.typesafe.config.ConfigRenderOptions.concise().setJson(true));
    }

    @Test
    void aCheckpointFromBeforeNewKeysMatchesOnceTheyTakeTheirDefaults() {
        String today = ConfigLoader.fromString(BASE).resolved();
        String old = without(today, "data.augment", "model.label-smoothing", "model.weight-decay", "model.lr-schedule",
                "training.reduce-lr-on-plateau");
        assertNotEquals(ConfigFingerprint.of(today), ConfigFingerprint.of(old));
        assertEquals(ConfigFingerprint.of(today), ConfigFingerprint.of(ConfigFingerprint.withCurrentDefaults(old)));
        assertEquals(List.of(), ConfigFingerprint.differences(ConfigFingerprint.withCurrentDefaults(old), today));
        // a value the old run chose still counts
        String oldSeven = without(ConfigLoader.fromString(BASE, "training.max-epochs=7").resolved(), "model.weight-decay");
        assertEquals(List.of("training.max-epochs: 7 -> 30"),
                ConfigFingerprint.differences(ConfigFingerprint.withCurrentDefaults(oldSeven), today));
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
