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
import io.sparkcnn.driver.InvalidInputException;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.model.LayerSpec;
import io.sparkcnn.workers.model.ModelSpec;
import io.sparkcnn.workers.model.Optimizer;
import io.sparkcnn.workers.model.Presets;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads a HOCON job config plus {@code key=value} overrides on top of the documented defaults in
 * {@code reference.conf} (under {@code sparkcnn}), rejects unknown keys and invalid values with an error
 * that names the key and what is allowed, and returns one immutable {@link TrainConfig}.
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
    public static TrainConfig load(File file, List<String> overrides) {
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
    public static TrainConfig fromString(String hocon, String... overrides) {
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
    public static TrainConfig fromConfig(Config user) {
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
        Config reference = defaults();
        rejectUnknownKeys(user, reference);
        Config c = user.withFallback(reference).resolve();
        Reader r = new Reader(c);
        String path = r.string("registry.path");
        if (path.isBlank()) {
            throw new InvalidInputException("registry.path must name the registry root (e.g. hdfs:///models/fashion)");
        }
        String metric = r.oneOf("registry.metric", java.util.Arrays.stream(RegistryConfig.Metric.values())
                .map(RegistryConfig.Metric::configName).toArray(String[]::new));
        RegistryConfig.Metric m = RegistryConfig.Metric.valueOf(metric.toUpperCase(Locale.ROOT));
        double minImprovement = r.nonNegative("registry.min-improvement");
        double floor = m == RegistryConfig.Metric.LOSS ? r.nonNegative("registry.floor") : r.fractionInclusive("registry.floor");
        java.time.Duration staleAfter;
        try {
            staleAfter = c.getDuration("registry.lock-stale-after");
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new InvalidInputException("registry.lock-stale-after must be a duration such as \"10 minutes\" or \"30s\", got "
                    + c.getValue("registry.lock-stale-after").render());
        }
        if (staleAfter.toMillis() < 1000) {
            throw new InvalidInputException("registry.lock-stale-after must be at least 1 second, got " + staleAfter);
        }
        TrainConfig train = trainConfig(user.withValue("output.path", ConfigValueFactory.fromAnyRef(path + "/runs")));
        boolean idx = r.oneOf("registry.holdout.format", "image-folder", "idx").equals("idx");
        DataConfig d = train.data();
        DataConfig holdout = new DataConfig(idx ? DataConfig.Format.IDX : DataConfig.Format.IMAGE_FOLDER,
                r.string("registry.holdout.path"), r.string("registry.holdout.idx-images"),
                r.string("registry.holdout.idx-labels"), "", "", d.classNames(), d.shape(), d.validationFraction(),
                d.testFraction(), d.seed(), d.scaling(), d.partitions(), 0, d.maxImagePixels());
        if (idx ? holdout.idxTrainImages().isBlank() || holdout.idxTrainLabels().isBlank() : holdout.path().isBlank()) {
            throw new InvalidInputException(idx ? "registry.holdout.idx-images and registry.holdout.idx-labels must name"
                    + " the fixed holdout set when registry.holdout.format = idx"
                    : "registry.holdout.path must name the fixed holdout image folder both models are scored on");
        }
        return new RetrainConfig(train, new RegistryConfig(path, m, minImprovement, floor, holdout, staleAfter), fromScratch);
    }

    private static TrainConfig trainConfig(Config user) {
        Config reference = defaults();
        rejectUnknownKeys(user, reference);
        Config c = user.withFallback(reference).resolve().withoutPath(REGISTRY);
        Reader r = new Reader(c);

        ImageShape shape;
        String channels = r.oneOf("data.channels", "gray", "rgb");
        int height = r.intAtLeast("data.height", 1);
        int width = r.intAtLeast("data.width", 1);
        shape = new ImageShape(channels.equals("gray") ? 1 : 3, height, width);
        DataConfig.Format format = r.oneOf("data.format", "image-folder", "idx").equals("idx")
                ? DataConfig.Format.IDX : DataConfig.Format.IMAGE_FOLDER;
        double valFraction = r.fraction("data.validation-fraction");
        double testFraction = r.fraction("data.test-fraction");
        if (valFraction + testFraction >= 1.0) {
            throw new InvalidInputException("data.validation-fraction + data.test-fraction must be below 1, got "
                    + valFraction + " + " + testFraction);
        }
        if (valFraction <= 0) {
            throw new InvalidInputException("data.validation-fraction must be above 0 (early stopping needs a validation split), got "
                    + valFraction);
        }
        DataConfig data = new DataConfig(format, r.string("data.path"),
                r.string("data.idx-train-images"), r.string("data.idx-train-labels"),
                r.string("data.idx-test-images"), r.string("data.idx-test-labels"),
                r.stringList("data.class-names"), shape, valFraction, testFraction, r.longValue("data.seed"),
                r.oneOf("data.scaling", "minmax", "standardize").equals("minmax")
                        ? FeatureScaling.Kind.MINMAX : FeatureScaling.Kind.STANDARDIZE,
                r.intAtLeast("data.partitions", 0), r.intAtLeast("data.max-train-images", 0),
                r.longAtLeast("data.max-image-pixels", 1));

        String preset = r.oneOf("model.preset", presetNames());
        List<LayerSpec> layers;
        if (preset.equals("custom")) {
            layers = LayerParser.parse(c.getList("model.layers"));
            if (layers.isEmpty()) {
                throw new InvalidInputException("model.layers: preset 'custom' needs a non-empty layer list");
            }
        } else {
            if (!c.getList("model.layers").isEmpty()) {
                throw new InvalidInputException("model.layers is set but model.preset is '" + preset
                        + "'; set model.preset = custom to use your own layers");
            }
            layers = Presets.all().get(preset);
        }
        String optimizerName = r.oneOf("model.optimizer", Arrays.stream(Optimizer.values())
                .map(Optimizer::configName).toArray(String[]::new));
        ModelSpec spec = new ModelSpec(layers, Optimizer.valueOf(optimizerName.toUpperCase(Locale.ROOT)),
                r.positive("model.learning-rate"), r.fractionInclusive("model.momentum"),
                r.oneOf("model.weight-init", "xavier", "he").equals("he")
                        ? ModelSpec.WeightInitKind.HE : ModelSpec.WeightInitKind.XAVIER,
                r.nonNegative("model.l2"), r.longValue("model.seed"));
        ModelConfig model = new ModelConfig(preset, spec);

        String monitor = r.oneOf("training.early-stopping.monitor", "val_loss", "val_accuracy");
        EarlyStoppingConfig es = new EarlyStoppingConfig(
                monitor.equals("val_loss") ? EarlyStoppingConfig.Monitor.VAL_LOSS : EarlyStoppingConfig.Monitor.VAL_ACCURACY,
                r.nonNegative("training.early-stopping.min-delta"),
                r.intAtLeast("training.early-stopping.patience", 1),
                r.bool("training.early-stopping.restore-best-weights"));
        TrainingConfig training = new TrainingConfig(
                r.intAtLeast("training.batch-size-per-worker", 1),
                r.intAtLeast("training.averaging-frequency", 1),
                r.intAtLeast("training.prefetch", 0),
                r.intAtLeast("training.workers", 0),
                r.intAtLeast("training.max-epochs", 1),
                r.nonNegative("training.max-minutes"),
                es,
                r.intAtLeast("training.threads-per-worker", 0));

        String outputPath = r.string("output.path");
        if (outputPath.isBlank()) {
            throw new InvalidInputException("output.path must not be empty");
        }
        OutputConfig output = new OutputConfig(outputPath, r.bool("output.overwrite"), r.bool("output.resume"));
        if (output.overwrite() && output.resume()) {
            throw new InvalidInputException("output.resume and output.overwrite exclude each other: resume continues the"
                    + " unfinished run at output.path, overwrite discards it");
        }
        requireInputs(data); // after the value checks: a wrong value is reported before a missing path
        String resolved = c.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(true));
        return new TrainConfig(data, model, training, output, resolved);
    }

    private static String[] presetNames() {
        List<String> names = new ArrayList<>(Presets.all().keySet());
        names.add("custom");
        return names.toArray(String[]::new);
    }

    private static void requireInputs(DataConfig data) {
        if (data.format() == DataConfig.Format.IMAGE_FOLDER) {
            if (data.path().isBlank()) {
                throw new InvalidInputException("data.path must name the image folder when data.format = image-folder");
            }
            return;
        }
        if (data.idxTrainImages().isBlank() || data.idxTrainLabels().isBlank()) {
            throw new InvalidInputException("data.idx-train-images and data.idx-train-labels must be set when data.format = idx");
        }
        if (data.idxTestImages().isBlank() != data.idxTestLabels().isBlank()) {
            throw new InvalidInputException("data.idx-test-images and data.idx-test-labels must be set together");
        }
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

    /** Typed getters whose errors name the key and the allowed values. */
    static final class Reader {
        private final Config c;

        Reader(Config c) {
            this.c = c;
        }

        String string(String key) {
            try {
                return c.getString(key);
            } catch (ConfigException.WrongType e) {
                throw new InvalidInputException(key + " must be a string, got " + c.getValue(key).render());
            }
        }

        List<String> stringList(String key) {
            try {
                return c.getStringList(key);
            } catch (ConfigException.WrongType e) {
                throw new InvalidInputException(key + " must be a list of strings, got " + c.getValue(key).render());
            }
        }

        String oneOf(String key, String... allowed) {
            String v = string(key).trim().toLowerCase(Locale.ROOT);
            if (!Arrays.asList(allowed).contains(v)) {
                throw new InvalidInputException(key + " = '" + c.getString(key) + "' is not allowed; allowed values: "
                        + String.join(", ", allowed));
            }
            return v;
        }

        double number(String key) {
            try {
                double v = c.getDouble(key);
                if (Double.isNaN(v) || Double.isInfinite(v)) {
                    throw new InvalidInputException(key + " must be a finite number, got " + v);
                }
                return v;
            } catch (ConfigException.WrongType e) {
                throw new InvalidInputException(key + " must be a number, got " + c.getValue(key).render());
            }
        }

        long longValue(String key) {
            try {
                return c.getLong(key);
            } catch (ConfigException.WrongType e) {
                throw new InvalidInputException(key + " must be a whole number, got " + c.getValue(key).render());
            }
        }

        long longAtLeast(String key, long min) {
            long v = longValue(key);
            if (v < min) {
                throw new InvalidInputException(key + " must be a whole number >= " + min + ", got " + v);
            }
            return v;
        }

        int intAtLeast(String key, int min) {
            int v;
            try {
                v = c.getInt(key);
            } catch (ConfigException.WrongType e) {
                throw new InvalidInputException(key + " must be a whole number >= " + min + ", got " + c.getValue(key).render());
            }
            if (v < min) {
                throw new InvalidInputException(key + " must be a whole number >= " + min + ", got " + v);
            }
            return v;
        }

        double fraction(String key) {
            double v = number(key);
            if (v < 0 || v >= 1) {
                throw new InvalidInputException(key + " must be a fraction in [0, 1), got " + v);
            }
            return v;
        }

        double fractionInclusive(String key) {
            double v = number(key);
            if (v < 0 || v > 1) {
                throw new InvalidInputException(key + " must be in [0, 1], got " + v);
            }
            return v;
        }

        double positive(String key) {
            double v = number(key);
            if (v <= 0) {
                throw new InvalidInputException(key + " must be above 0, got " + v);
            }
            return v;
        }

        double nonNegative(String key) {
            double v = number(key);
            if (v < 0) {
                throw new InvalidInputException(key + " must be 0 or more, got " + v);
            }
            return v;
        }

        boolean bool(String key) {
            try {
                return c.getBoolean(key);
            } catch (ConfigException.WrongType e) {
                throw new InvalidInputException(key + " must be true or false, got " + c.getValue(key).render());
            }
        }
    }
}
