package io.sparkcnn.driver.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.sparkcnn.driver.common.InvalidInputException;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads a HOCON job config plus {@code key=value} overrides on top of the documented defaults in
 * {@code reference.conf} (under {@code sparkcnn}), rejects unknown keys and invalid values with an error
 * that names the key and what is allowed, and returns one immutable {@link TrainJobConfig}.
 */
public final class ConfigLoader {
    static final String ROOT = "sparkcnn";
    static final String REGISTRY = "registry";

    private ConfigLoader() {
    }

    /** The documented defaults, relative to {@code sparkcnn}. */
    public static Config defaults() {
        return ConfigFactory.defaultReference(ConfigLoader.class.getClassLoader()).getConfig(ROOT);
    }

    /** Loads {@code file} (may be null) and applies {@code overrides} ("key=value") in order. */
    public static TrainJobConfig load(File file, List<String> overrides) {
        return fromConfig(userConfig(file, overrides));
    }

    /** True when the file or the overrides set {@code key} themselves (not left to the default). */
    public static boolean userSets(File file, List<String> overrides, String key) {
        return userConfig(file, overrides).hasPath(key);
    }

    private static Config userConfig(File file, List<String> overrides) {
        Config user = ConfigFactory.empty();
        if (file != null) {
            if (!file.isFile()) {
                throw new InvalidInputException("config file not found: " + file);
            }
            try {
                user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new InvalidInputException("config file " + file + " is not valid HOCON: " + e.getMessage(), e);
            }
            if (user.hasPath(ROOT) && user.root().size() == 1) {
                user = user.getConfig(ROOT); // accept files wrapped in sparkcnn { ... }
            }
        }
        for (String override : overrides) {
            user = applyOverride(user, override);
        }
        return user;
    }

    /** Parses a HOCON string (as a config file would hold it) with overrides; convenient for tests. */
    public static TrainJobConfig fromString(String hocon, String... overrides) {
        Config user;
        try {
            user = ConfigFactory.parseString(hocon);
        } catch (ConfigException e) {
            throw new InvalidInputException("config is not valid HOCON: " + e.getMessage(), e);
        }
        for (String override : overrides) {
            user = applyOverride(user, override);
        }
        return fromConfig(user);
    }

    static Config applyOverride(Config user, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new InvalidInputException("--set expects key=value, got '" + override + "'");
        }
        String key = override.substring(0, eq).trim();
        String value = override.substring(eq + 1).trim();
        if (key.startsWith(ROOT + ".")) {
            key = key.substring(ROOT.length() + 1);
        }
        ConfigValue parsed;
        if (value.startsWith("[") || value.startsWith("{") || value.matches("-?\\d+(\\.\\d+)?([eE]-?\\d+)?|true|false")) {
            try {
                parsed = ConfigFactory.parseString("v = " + value, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF))
                        .getValue("v");
            } catch (ConfigException e) {
                throw new InvalidInputException("--set " + key + ": value is not valid HOCON: " + e.getMessage(), e);
            }
        } else {
            // a plain string: HOCON would read "hdfs://..." as a comment; typed getters convert "5" or "true"
            parsed = ConfigValueFactory.fromAnyRef(value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                    ? value.substring(1, value.length() - 1) : value);
        }
        try {
            return user.withValue(key, parsed);
        } catch (ConfigException e) {
            throw new InvalidInputException("--set: invalid key '" + key + "': " + e.getMessage(), e);
        }
    }

    /** Validates {@code user} (keys relative to sparkcnn) against the defaults and builds the typed config. */
    public static TrainJobConfig fromConfig(Config user) {
        if (user.hasPath(REGISTRY)) {
            throw new InvalidInputException("registry." + user.getConfig(REGISTRY).entrySet().iterator().next().getKey()
                    + ": registry.* keys belong to the retrain job; train writes its run to output.path");
        }
        return trainConfig(user);
    }

    /** The retrain job's config: the train keys (output.* is set per run) plus registry.*. */
    public static RetrainConfig loadRetrain(File file, List<String> overrides, boolean fromScratch) {
        return retrainFromConfig(userConfig(file, overrides), fromScratch);
    }

    public static RetrainConfig retrainFromConfig(Config user, boolean fromScratch) {
        if (user.hasPath("output")) {
            throw new InvalidInputException("output." + user.getConfig("output").entrySet().iterator().next().getKey()
                    + ": the retrain job writes each run into registry.path (runs/<id>); output.* does not apply");
        }
        rejectUnknownKeys(user, defaults());
        ConfigReader r = new ConfigReader(user.withFallback(defaults()).resolve());
        String path = r.string("registry.path");
        if (path.isBlank()) {
            throw new InvalidInputException("registry.path must name the registry root (e.g. hdfs:///models/fashion)");
        }
        TrainJobConfig train = trainConfig(user.withValue("output.path", ConfigValueFactory.fromAnyRef(path + "/runs")));
        return new RetrainConfig(train, RegistryConfig.from(r, train.data()), fromScratch);
    }

    private static TrainJobConfig trainConfig(Config user) {
        rejectUnknownKeys(user, defaults());
        Config c = user.withFallback(defaults()).resolve().withoutPath(REGISTRY);
        return trainConfig(new ConfigReader(c), c);
    }

    /** The train job's sections, each parsed by its own record; {@code c} is what {@code r} reads. */
    static TrainJobConfig trainConfig(ConfigReader r, Config c) {
        DataConfig data = DataConfig.from(r);
        ModelConfig model = ModelConfig.from(r);
        TrainingConfig training = TrainingConfig.from(r);
        OutputConfig output = OutputConfig.from(r);
        LrScheduleConfig.checkWith(model, training);
        data.requireInputs(); // after the value checks: a wrong value is reported before a missing path
        String resolved = c.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(true));
        return new TrainJobConfig(data, model, training, output, resolved);
    }

    /** Every leaf key the user set must exist in reference.conf. */
    static void rejectUnknownKeys(Config user, Config reference) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String key = e.getKey();
            if (!reference.hasPathOrNull(key)) {
                throw new InvalidInputException("unknown config key '" + key + "'; known keys"
                        + knownKeysNear(key, reference));
            }
            ConfigValueType expected = reference.getValue(key).valueType();
            if (expected == ConfigValueType.OBJECT && e.getValue().valueType() != ConfigValueType.OBJECT) {
                throw new InvalidInputException("config key '" + key + "' is a section; set one of its keys"
                        + knownKeysNear(key + ".x", reference));
            }
        }
    }

    private static String knownKeysNear(String key, Config reference) {
        int dot = key.lastIndexOf('.');
        String parent = dot < 0 ? "" : key.substring(0, dot);
        Set<String> known = new TreeSet<>();
        if (!parent.isEmpty() && reference.hasPath(parent) && reference.getValue(parent) instanceof ConfigObject obj) {
            obj.keySet().forEach(k -> known.add(parent + "." + k));
            return " under '" + parent + "': " + String.join(", ", known);
        }
        for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
            known.add(e.getKey());
        }
        if (!parent.isEmpty()) {
            String first = parent.split("\\.")[0];
            Set<String> under = known.stream().filter(k -> k.startsWith(first + ".")).collect(Collectors.toCollection(TreeSet::new));
            if (!under.isEmpty()) {
                return " under '" + first + "': " + String.join(", ", under);
            }
        }
        return ": " + String.join(", ", known);
    }

    /** Every documented key with its default and comment, for --help. */
    public static Map<String, String[]> documentedKeys() {
        Config reference = ConfigFactory.defaultReference(ConfigLoader.class.getClassLoader()).getConfig(ROOT);
        Map<String, String[]> docs = new LinkedHashMap<>();
        reference.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(ConfigLoader::compareKeys))
                .forEach(e -> docs.put(e.getKey(), new String[] {
                        e.getValue().render(ConfigRenderOptions.concise()),
                        e.getValue().origin().comments().stream().map(String::trim).collect(Collectors.joining(" "))}));
        return docs;
    }

    private static int compareKeys(String a, String b) {
        int bySection = Integer.compare(sectionOrder(a), sectionOrder(b));
        return bySection != 0 ? bySection : a.compareTo(b);
    }

    private static int sectionOrder(String key) {
        List<String> order = List.of("data", "model", "training", "output", "registry");
        int i = order.indexOf(key.split("\\.")[0]);
        return i < 0 ? order.size() : i;
    }
}
