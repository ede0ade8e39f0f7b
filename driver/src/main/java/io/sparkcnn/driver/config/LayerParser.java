package io.sparkcnn.driver.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.workers.model.LayerSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Parses {@code model.layers}: a list of objects with a {@code type} and that type's keys. */
final class LayerParser {
    private static final Map<String, Set<String>> KEYS = Map.of(
            "conv2d", Set.of("type", "filters", "kernel", "stride", "padding", "activation"),
            "maxpool", Set.of("type", "size", "stride"),
            "avgpool", Set.of("type", "size", "stride"),
            "batchnorm", Set.of("type"),
            "dropout", Set.of("type", "rate"),
            "dense", Set.of("type", "units", "activation"),
            "output", Set.of("type"));

    private LayerParser() {
    }

    static List<LayerSpec> parse(ConfigList list) {
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "model.layers[" + i + "]";
            ConfigValue v = list.get(i);
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw new InvalidInputException(where + " must be an object such as { type = conv2d, filters = 32, kernel = 3 }");
            }
            layers.add(parseLayer(where, (ConfigObject) v));
        }
        return layers;
    }

    private static LayerSpec parseLayer(String where, ConfigObject obj) {
        if (!obj.containsKey("type")) {
            throw new InvalidInputException(where + " has no 'type'; allowed types: " + String.join(", ", new TreeSet<>(KEYS.keySet())));
        }
        String type = String.valueOf(obj.get("type").unwrapped()).toLowerCase(Locale.ROOT);
        Set<String> allowed = KEYS.get(type);
        if (allowed == null) {
            throw new InvalidInputException(where + ".type = '" + type + "' is not allowed; allowed types: "
                    + String.join(", ", new TreeSet<>(KEYS.keySet())));
        }
        for (String key : obj.keySet()) {
            if (!allowed.contains(key)) {
                throw new InvalidInputException(where + ": unknown key '" + key + "' for " + type + "; allowed keys: "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        Fields f = new Fields(where, obj);
        return switch (type) {
            case "conv2d" -> new LayerSpec.Conv2D(f.intAtLeast("filters", 1, null), f.intAtLeast("kernel", 1, 3),
                    f.intAtLeast("stride", 1, 1),
                    LayerSpec.Padding.valueOf(f.oneOf("padding", "valid", "same", "valid").toUpperCase(Locale.ROOT)),
                    f.activation("relu"));
            case "maxpool", "avgpool" -> {
                int size = f.intAtLeast("size", 1, 2);
                yield new LayerSpec.Pool(type.equals("maxpool") ? LayerSpec.PoolType.MAX : LayerSpec.PoolType.AVG,
                        size, f.intAtLeast("stride", 1, size));
            }
            case "batchnorm" -> new LayerSpec.BatchNorm();
            case "dropout" -> new LayerSpec.Dropout(f.rate());
            case "dense" -> new LayerSpec.Dense(f.intAtLeast("units", 1, null), f.activation("relu"));
            default -> new LayerSpec.Output();
        };
    }

    private record Fields(String where, ConfigObject obj) {
        int intAtLeast(String key, int min, Integer dflt) {
            ConfigValue v = obj.get(key);
            if (v == null) {
                if (dflt == null) {
                    throw new InvalidInputException(where + "." + key + " is required");
                }
                return dflt;
            }
            if (v.unwrapped() instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.intValue() >= min) {
                return n.intValue();
            }
            throw new InvalidInputException(where + "." + key + " must be a whole number >= " + min + ", got " + v.render());
        }

        String oneOf(String key, String dflt, String... allowed) {
            ConfigValue v = obj.get(key);
            String s = v == null ? dflt : String.valueOf(v.unwrapped()).toLowerCase(Locale.ROOT);
            if (!Arrays.asList(allowed).contains(s)) {
                throw new InvalidInputException(where + "." + key + " = '" + s + "' is not allowed; allowed values: "
                        + String.join(", ", allowed));
            }
            return s;
        }

        LayerSpec.Activation activation(String dflt) {
            String[] names = Arrays.stream(LayerSpec.Activation.values()).map(a -> a.name().toLowerCase(Locale.ROOT))
                    .toArray(String[]::new);
            String s = oneOf("activation", dflt, names);
            return LayerSpec.Activation.valueOf(s.toUpperCase(Locale.ROOT));
        }

        double rate() {
            ConfigValue v = obj.get("rate");
            if (v == null) {
                throw new InvalidInputException(where + ".rate is required (the fraction of units dropped, as in Keras)");
            }
            if (v.unwrapped() instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() < 1) {
                return n.doubleValue();
            }
            throw new InvalidInputException(where + ".rate must be a fraction in [0, 1), got " + v.render());
        }
    }
}
