package io.sparkcnn.driver.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** reference.conf and the section parsers agree: every documented key is read, and only documented keys are. */
class ConfigKeysTest {

    private static Set<String> documented() {
        return ConfigLoader.defaults().entrySet().stream().map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyKeyOfReferenceConfIsReadAndEveryKeyReadIsInReferenceConf() {
        Config user = ConfigFactory.empty()
                .withValue("data.format", ConfigValueFactory.fromAnyRef("image-folder"))
                .withValue("data.path", ConfigValueFactory.fromAnyRef("hdfs:///images"))
                .withValue("registry.path", ConfigValueFactory.fromAnyRef("hdfs:///models/m"))
                .withValue("registry.holdout.path", ConfigValueFactory.fromAnyRef("hdfs:///holdout"));
        Config c = user.withFallback(ConfigLoader.defaults()).resolve();
        ConfigReader reader = new ConfigReader(c);
        TrainJobConfig train = ConfigLoader.trainConfig(reader, c);
        RegistryConfig.from(reader, train.data());

        Set<String> read = new TreeSet<>(reader.keysRead());
        Set<String> documented = documented();
        Set<String> neverRead = new TreeSet<>(documented);
        neverRead.removeAll(read);
        Set<String> undocumented = new TreeSet<>(read);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), neverRead, "keys in reference.conf that no section parser reads");
        assertEquals(Set.of(), undocumented, "keys read that reference.conf does not document");
        assertTrue(read.size() > 30, "the parsers read " + read.size() + " keys");
    }

    @Test
    void anEnumSuppliesTheAllowedValuesOfItsKey() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.sparkcnn.driver.common.InvalidInputException.class,
                () -> ConfigLoader.fromString("data.path = \"/x\"\nmodel.optimizer = lbfgs"));
        for (var o : io.sparkcnn.workers.model.Optimizer.values()) {
            assertTrue(e.getMessage().contains(o.configName()), e.getMessage());
        }
        assertTrue(e.getMessage().startsWith("model.optimizer = 'lbfgs' is not allowed"), e.getMessage());
    }
}
