package io.sparkcnn.driver.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The version of every JSON file we write (manifest, metrics, reports, checkpoint state, registry files,
 * locks), as Spark ML's metadata carries {@code sparkVersion}: {@code "format_version": "MAJOR.MINOR"}, first
 * key of the object. A minor version adds fields (readers ignore fields they do not know); a major version
 * changes or removes them, and a reader refuses a newer major version with a message naming the file. Files
 * written before versions existed have none and read as 1.0.
 */
public final class JsonFormat {
    public static final String KEY = "format_version";
    public static final int MAJOR = 1;
    public static final String CURRENT = MAJOR + ".0";

    /** Records to and from snake_case JSON; unknown fields are ignored (a newer minor version may add some). */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private JsonFormat() {
    }

    /** {@code fields} with {@code format_version} in front. */
    public static Map<String, Object> stamped(Map<String, ?> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(KEY, CURRENT);
        fields.forEach((k, v) -> {
            if (!KEY.equals(k)) {
                m.put(k, v);
            }
        });
        return m;
    }

    /**
     * Returns {@code node} when this version can read it.
     *
     * @throws InvalidInputException naming {@code source} when it was written by a newer major format
     */
    public static <T extends JsonNode> T checked(T node, String source) {
        if (node == null || !node.has(KEY)) {
            return node;
        }
        String version = node.get(KEY).asText();
        int major;
        try {
            major = Integer.parseInt(version.split("\\.", 2)[0].trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(source + " has an unreadable " + KEY + " \"" + version + "\" (expected"
                    + " MAJOR.MINOR, e.g. " + CURRENT + ")");
        }
        if (major > MAJOR) {
            throw new InvalidInputException(source + " was written in " + KEY + " " + version + " by a newer sparkcnn;"
                    + " this one reads format " + MAJOR + ".x: upgrade sparkcnn to read it");
        }
        return node;
    }

    /** A record as indented snake_case JSON. */
    public static String write(Object record) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads {@code json} as a {@code type} record after {@link #checked}; unknown fields are ignored.
     *
     * @throws InvalidInputException naming {@code source} when it is newer or does not fit {@code type}
     */
    public static <T> T read(JsonNode json, Class<T> type, String source) {
        try {
            return MAPPER.treeToValue(checked(json, source), type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidInputException(source + " is not a " + type.getSimpleName() + " this version reads: "
                    + e.getMessage(), e);
        }
    }
}
