package io.sparkcnn.driver.config;

import io.sparkcnn.driver.common.InvalidInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** model.lr-schedule, training.reduce-lr-on-plateau and model.weight-decay: parsed, defaults, refused values. */
class LearningRateConfigTest {
    private static final String VALID = ConfigLoaderTest.VALID;

    @Test
    void theDefaultsChangeNothing() {
        TrainJobConfig c = ConfigLoader.fromString(VALID);
        assertEquals(LrScheduleConfig.constant(), c.model().lrSchedule());
        assertEquals(ReduceLrOnPlateauConfig.disabled(), c.training().reduceLrOnPlateau());
        assertEquals(0.0, c.model().spec().weightDecay());
    }

    @Test
    void everyKeyIsParsed() {
        TrainJobConfig c = ConfigLoader.fromString(VALID + "\n" + """
                model { optimizer = sgd, learning-rate = 0.1, weight-decay = 0.05, l2 = 0.001,
                        lr-schedule { type = one-cycle, step-epochs = 3, factor = 0.5, min-lr = 0.001,
                                      warmup-fraction = 0.25, div-factor = 10, final-div-factor = 100 } }
                training.reduce-lr-on-plateau { enabled = true, monitor = val_accuracy, factor = 0.2, patience = 0,
                                                min-delta = 0.01, min-lr = 1e-5, cooldown = 2 }
                """);
        assertEquals(new LrScheduleConfig(LrScheduleConfig.Type.ONE_CYCLE, 3, 0.5, 0, 0.001, 0.25, 10, 100),
                c.model().lrSchedule());
        assertEquals(new ReduceLrOnPlateauConfig(true, EarlyStoppingConfig.Monitor.VAL_ACCURACY, 0.2, 0, 0.01, 1e-5, 2),
                c.training().reduceLrOnPlateau());
        assertEquals(0.05, c.model().spec().weightDecay());
        assertEquals(0.001, c.model().spec().l2(), "l2 and weight-decay may be combined");
        assertEquals(LrScheduleConfig.Type.COSINE, ConfigLoader.fromString(VALID, "model.lr-schedule.type=cosine",
                "model.lr-schedule.warmup-epochs=5").model().lrSchedule().type());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                arguments(new String[] {"model.lr-schedule.type=linear"},
                        List.of("model.lr-schedule.type = 'linear'", "constant, step, exponential, cosine, one-cycle")),
                arguments(new String[] {"model.lr-schedule.step-epochs=0"}, List.of("model.lr-schedule.step-epochs", ">= 1")),
                arguments(new String[] {"model.lr-schedule.factor=1.5"}, List.of("model.lr-schedule.factor", "(0, 1]", "1.5")),
                arguments(new String[] {"model.lr-schedule.factor=0"}, List.of("model.lr-schedule.factor must be above 0")),
                arguments(new String[] {"model.lr-schedule.warmup-fraction=1"},
                        List.of("model.lr-schedule.warmup-fraction", "(0, 1)")),
                arguments(new String[] {"model.lr-schedule.div-factor=0.5"}, List.of("model.lr-schedule.div-factor", "0.5")),
                arguments(new String[] {"model.lr-schedule.final-div-factor=0"},
                        List.of("model.lr-schedule.final-div-factor", "1 or more")),
                arguments(new String[] {"model.lr-schedule.min-lr=-1"}, List.of("model.lr-schedule.min-lr must be 0 or more")),
                arguments(new String[] {"model.lr-schedule.type=step", "model.lr-schedule.warmup-epochs=3"},
                        List.of("model.lr-schedule.warmup-epochs = 3", "cosine only", "type is step")),
                arguments(new String[] {"model.lr-schedule.type=cosine", "model.lr-schedule.warmup-epochs=31"},
                        List.of("model.lr-schedule.warmup-epochs = 31", "training.max-epochs = 30")),
                arguments(new String[] {"model.lr-schedule.type=cosine", "model.lr-schedule.min-lr=0.01"},
                        List.of("model.lr-schedule.min-lr = 0.01", "model.learning-rate = 0.001")),
                arguments(new String[] {"model.optimizer=adadelta", "model.lr-schedule.type=step"},
                        List.of("model.lr-schedule.type = step", "model.optimizer = adadelta")),
                arguments(new String[] {"model.optimizer=adadelta", "training.reduce-lr-on-plateau.enabled=true"},
                        List.of("training.reduce-lr-on-plateau.enabled", "model.optimizer = adadelta")),
                arguments(new String[] {"training.reduce-lr-on-plateau.factor=1"},
                        List.of("training.reduce-lr-on-plateau.factor must be below 1")),
                arguments(new String[] {"training.reduce-lr-on-plateau.monitor=loss"},
                        List.of("training.reduce-lr-on-plateau.monitor", "val_loss, val_accuracy")),
                arguments(new String[] {"training.reduce-lr-on-plateau.patience=-1"},
                        List.of("training.reduce-lr-on-plateau.patience", ">= 0")),
                arguments(new String[] {"training.reduce-lr-on-plateau.cooldown=-1"},
                        List.of("training.reduce-lr-on-plateau.cooldown", ">= 0")),
                arguments(new String[] {"training.reduce-lr-on-plateau.min-lr=-1"},
                        List.of("training.reduce-lr-on-plateau.min-lr must be 0 or more")),
                arguments(new String[] {"model.weight-decay=-0.1"}, List.of("model.weight-decay must be 0 or more")),
                arguments(new String[] {"model.weight-decay=20", "model.learning-rate=0.1"},
                        List.of("model.weight-decay = 20", "model.learning-rate = 0.1")),
                arguments(new String[] {"model.weight-decay=1", "model.optimizer=adadelta"},
                        List.of("model.weight-decay = 1", "model.optimizer = adadelta")));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusedNamingTheKeyAndTheValue(String[] overrides, List<String> expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ConfigLoader.fromString(VALID, overrides));
        for (String part : expected) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void scheduleKeysChangeTheFingerprintSoAResumeKeepsTheSchedule() {
        String a = ConfigLoader.fromString(VALID).resolved();
        String b = ConfigLoader.fromString(VALID, "model.lr-schedule.type=cosine").resolved();
        assertFalse(ConfigFingerprint.of(a).equals(ConfigFingerprint.of(b)));
        assertEquals(List.of("model.lr-schedule.type: \"constant\" -> \"cosine\""), ConfigFingerprint.differences(a, b));
    }
}
