package io.sparkcnn.driver.config;

import com.typesafe.config.ConfigFactory;
import io.sparkcnn.driver.common.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The retrain job's config: registry.* keys on top of the train keys, each error naming its key. */
class RetrainConfigTest {
    static final String VALID = "data { format = image-folder, path = \"hdfs:///images/dt=*\" }\n"
            + "registry { path = \"hdfs:///models/fashion\", holdout.path = \"hdfs:///holdout\" }";

    private static RetrainConfig load(String hocon, String... overrides) {
        var user = ConfigFactory.parseString(hocon);
        for (String o : overrides) {
            user = ConfigLoader.applyOverride(user, o);
        }
        return ConfigLoader.retrainFromConfig(user, false);
    }

    @Test
    void defaultsAndOverrides() {
        RetrainConfig c = load(VALID, "registry.metric=macro_f1", "registry.lock-stale-after=90s");
        assertEquals("hdfs:///models/fashion", c.registry().path());
        assertEquals(RegistryConfig.Metric.MACRO_F1, c.registry().metric());
        assertEquals(0.005, c.registry().minImprovement());
        assertEquals(0.5, c.registry().floor());
        assertEquals(Duration.ofSeconds(90), c.registry().lockStaleAfter());
        assertEquals("hdfs:///holdout", c.registry().holdout().path());
        assertEquals(c.train().data().shape(), c.registry().holdout().shape(), "holdout read at the model's shape");
        assertEquals("hdfs:///images/dt=*", c.train().data().path());
        assertFalse(c.train().resolved().contains("registry"), "the run's manifest records the train config only");
        assertEquals(Duration.ofMinutes(10), load(VALID).registry().lockStaleAfter());
    }

    @Test
    void idxHoldout() {
        RetrainConfig c = load(VALID, "registry.holdout.format=idx", "registry.holdout.idx-images=file:///h/img",
                "registry.holdout.idx-labels=file:///h/lbl", "data.class-names=[a, b]");
        assertEquals(DataConfig.Format.IDX, c.registry().holdout().format());
        assertEquals("file:///h/img", c.registry().holdout().idxTrainImages());
        assertEquals(List.of("a", "b"), c.registry().holdout().classNames());
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                arguments(new String[] {"registry.path=\"\""}, List.of("registry.path must name the registry root")),
                arguments(new String[] {"registry.metric=f2"}, List.of("registry.metric = 'f2'", "accuracy, macro_f1, loss")),
                arguments(new String[] {"registry.min-improvement=-0.1"}, List.of("registry.min-improvement must be 0 or more")),
                arguments(new String[] {"registry.floor=1.5"}, List.of("registry.floor must be in [0, 1]")),
                arguments(new String[] {"registry.lock-stale-after=soon"}, List.of("registry.lock-stale-after", "duration")),
                arguments(new String[] {"registry.lock-stale-after=10ms"}, List.of("registry.lock-stale-after must be at least 1 second")),
                arguments(new String[] {"registry.holdout.path=\"\""}, List.of("registry.holdout.path must name")),
                arguments(new String[] {"registry.holdout.format=idx"}, List.of("registry.holdout.idx-images and registry.holdout.idx-labels")),
                arguments(new String[] {"registry.holdot.path=x"}, List.of("unknown config key 'registry.holdot.path'")),
                arguments(new String[] {"output.path=/tmp/x"}, List.of("output.path", "registry.path")));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void errorsNameTheKey(String[] overrides, List<String> expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> load(VALID, overrides));
        for (String part : expected) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void lossFloorMayExceedOne() {
        assertEquals(2.5, load(VALID, "registry.metric=loss", "registry.floor=2.5").registry().floor());
    }

    @Test
    void theTrainJobRefusesRegistryKeys() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ConfigLoader.fromString(ConfigLoaderTest.VALID, "registry.path=hdfs:///m"));
        assertTrue(e.getMessage().contains("registry.path") && e.getMessage().contains("retrain job"), e.getMessage());
        assertFalse(ConfigLoader.fromString(ConfigLoaderTest.VALID).resolved().contains("registry"));
    }
}
