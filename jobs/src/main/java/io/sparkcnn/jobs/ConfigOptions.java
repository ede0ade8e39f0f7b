package io.sparkcnn.jobs;

import io.sparkcnn.driver.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The job config options every job that reads a config takes ({@code @Mixin}): {@code --config FILE} (HOCON) and
 * repeatable {@code --set KEY=VALUE}, applied after the file; and the usage footer listing the config keys.
 * ConfigLoader parses both.
 */
final class ConfigOptions {
    static final String CONFIG_KEY = "sparkcnn.config";
    static final String SET_KEY = "sparkcnn.set";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", descriptionKey = CONFIG_KEY,
            description = "Job config (HOCON). Keys below.")
    File file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", descriptionKey = SET_KEY,
            description = "Override one config key (repeatable; applied after --config).")
    List<String> overrides = new ArrayList<>();

    /** The --config file, or null. */
    File file() {
        return file;
    }

    /** The --set KEY=VALUE pairs in command-line order. */
    List<String> overrides() {
        return overrides;
    }

    /** Whether --config or --set was given. */
    boolean given() {
        return file != null || !overrides.isEmpty();
    }

    /**
     * Gives the two options the job's own help texts. picocli reads a mixed-in option's description from the
     * messages of the command that mixes it in, so the options stay one declaration and each job says what its
     * config is for. Returns {@code cl}.
     */
    static CommandLine describe(CommandLine cl, String config, String set) {
        cl.setResourceBundle(new ListResourceBundle() {
            @Override
            protected Object[][] getContents() {
                return new Object[][] {{CONFIG_KEY, config}, {SET_KEY, set}};
            }
        });
        return cl;
    }

    /** The documented config keys starting with {@code prefix} (never registry.*), with defaults, for a usage footer. */
    static String keysHelp(String prefix) {
        return keysHelp(k -> k.startsWith(prefix) && !k.startsWith("registry."));
    }

    /** The documented config keys that {@code include} accepts, with defaults, for a usage footer. */
    static String keysHelp(Predicate<String> include) {
        StringBuilder sb = new StringBuilder("%nConfig keys (HOCON file or --set; default in brackets):%n");
        for (Map.Entry<String, String[]> e : ConfigLoader.documentedKeys().entrySet()) {
            if (!include.test(e.getKey())) {
                continue;
            }
            sb.append(String.format("  %-40s [%s]%n", e.getKey(), e.getValue()[0].replace("%", "%%")));
            for (String line : wrap(e.getValue()[1], 72)) {
                sb.append("      ").append(line.replace("%", "%%")).append("%n");
            }
        }
        return sb.toString();
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
