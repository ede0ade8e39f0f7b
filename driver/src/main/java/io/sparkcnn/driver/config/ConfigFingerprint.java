package io.sparkcnn.driver.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.common.Hashing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The identity of what a config trains: SHA-256 over its resolved keys, leaving out {@code output.*}
 * (where a run is written and whether it may replace one do not change the training) and the progress-line
 * keys (what is logged neither; a resumed run may turn them off). A checkpoint carries it; a resume with a
 * different fingerprint is refused, naming the keys that differ.
 */
public final class ConfigFingerprint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NOT_TRAINING = Set.of("training.progress", "training.progress-interval");

    private ConfigFingerprint() {
    }

    /** "sha256:..." of the resolved config JSON ({@link TrainJobConfig#resolved()}). */
    public static String of(String resolvedJson) {
        Hashing fp = Hashing.fingerprint();
        flatten(resolvedJson).forEach((k, v) -> fp.add(k).add(v));
        return fp.label();
    }

    /**
     * A checkpoint's resolved config with the keys reference.conf gained since it was written filled in at their
     * defaults. A new key's default keeps the behaviour from before it existed, so an unfinished run written by
     * an older version compares equal to the same config today and resumes, instead of being refused for
     * "(unset) -> default" keys.
     */
    public static String withCurrentDefaults(String resolvedJson) {
        com.typesafe.config.Config stored = com.typesafe.config.ConfigFactory.parseString(resolvedJson);
        return stored.withFallback(ConfigLoader.defaults().withoutPath(ConfigLoader.REGISTRY)).resolve().root()
                .render(com.typesafe.config.ConfigRenderOptions.concise().setJson(true));
    }

    /** Keys whose values differ, as "key: before -> after" (missing values shown as "(unset)"). */
    public static List<String> differences(String beforeJson, String afterJson) {
        Map<String, String> before = flatten(beforeJson);
        Map<String, String> after = flatten(afterJson);
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (!Objects.equals(before.get(k), after.get(k))) {
                out.add(k + ": " + before.getOrDefault(k, "(unset)") + " -> " + after.getOrDefault(k, "(unset)"));
            }
        }
        return out;
    }

    /** Sorted "a.b.c" / "a.list[0].x" keys to JSON values, without output.* and the progress-line keys. */
    static Map<String, String> flatten(String json) {
        try {
            Map<String, String> out = new TreeMap<>();
            flatten("", JSON.readTree(json), out);
            out.keySet().removeIf(k -> k.equals("output") || k.startsWith("output.") || NOT_TRAINING.contains(k));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("resolved config is not JSON", e);
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray() && node.size() > 0) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "[" + i + "]", node.get(i), out);
            }
        } else {
            out.put(prefix, node.toString());
        }
    }
}
