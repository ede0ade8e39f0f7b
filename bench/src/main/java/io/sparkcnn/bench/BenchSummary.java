package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Joins the modes' result files into bench.json (machine, results, ratios) and a table. Ratios compare
 * each Spark mode with the single-JVM baseline and the PyTorch reference: median images/s (higher is
 * better) and seconds to the target accuracy (lower is better).
 */
final class BenchSummary {
    private BenchSummary() {
    }

    static String write(File resultsDir, File output) throws IOException {
        File[] files = resultsDir.listFiles((d, n) -> n.endsWith(".json"));
        if (files == null || files.length == 0) {
            throw new io.sparkcnn.driver.common.InvalidInputException("--results " + resultsDir + " holds no result JSON files");
        }
        Arrays.sort(files);
        List<JsonNode> results = new ArrayList<>();
        for (File f : files) {
            results.add(Bench.JSON.readTree(f));
        }
        JsonNode single = find(results, "single-jvm");
        JsonNode torch = find(results, "pytorch");
        JsonNode dataPath = find(results, "data-path");
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (JsonNode r : results) {
            if (!r.path("mode").asText().equals("spark")) {
                continue;
            }
            Map<String, Object> ratio = new LinkedHashMap<>();
            ratio.put("name", r.path("name").asText());
            ratio.put("images_per_second_vs_single_jvm", ratio(r, single, "images_per_second_median"));
            ratio.put("images_per_second_vs_pytorch", ratio(r, torch, "images_per_second_median"));
            ratio.put("seconds_to_target_vs_pytorch", ratio(r, torch, "seconds_to_target"));
            Map<String, Double> perTarget = new LinkedHashMap<>();
            r.path("seconds_to_targets").fieldNames().forEachRemaining(t -> perTarget.put(t,
                    torch == null ? null : ratio(r.path("seconds_to_targets"), torch.path("seconds_to_targets"), t)));
            ratio.put("seconds_to_targets_vs_pytorch", perTarget);
            ((ObjectNode) r).put("vs_single_jvm", (Double) ratio.get("images_per_second_vs_single_jvm"));
            ((ObjectNode) r).put("vs_pytorch", (Double) ratio.get("images_per_second_vs_pytorch"));
            ratios.add(ratio);
        }
        Map<String, Object> bench = new LinkedHashMap<>();
        bench.put("created", Instant.now().toString());
        bench.put("machine", machine());
        bench.put("results", results);
        bench.put("ratios", ratios);
        Bench.JSON.writeValue(output, bench);
        List<Double> targets = new ArrayList<>();
        results.stream().filter(r -> r.path("seconds_to_targets").isObject()).findFirst()
                .ifPresent(r -> r.get("seconds_to_targets").fieldNames().forEachRemaining(t -> targets.add(Double.valueOf(t))));
        File png = new File(output.getAbsoluteFile().getParentFile(), "curves.png");
        String table = table(results, dataPath, bench) + timesToTargets(results, targets);
        if (BenchCharts.accuracyOverTime(results, targets, png)) {
            table += "Learning curves: " + png + System.lineSeparator();
        }
        return table;
    }

    private static JsonNode find(List<JsonNode> results, String mode) {
        return results.stream().filter(r -> r.path("mode").asText().equals(mode)).findFirst().orElse(null);
    }

    private static Double ratio(JsonNode ours, JsonNode other, String key) {
        if (other == null || !ours.path(key).isNumber() || !other.path(key).isNumber() || other.get(key).asDouble() == 0) {
            return null;
        }
        return ours.get(key).asDouble() / other.get(key).asDouble();
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("memory_gb", memoryGb());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long memoryGb() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024).findFirst().orElse(0L);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String table(List<JsonNode> results, JsonNode dataPath, Map<String, Object> bench) {
        StringBuilder t = new StringBuilder();
        @SuppressWarnings("unchecked")
        Map<String, Object> machine = (Map<String, Object>) bench.get("machine");
        t.append(String.format(Locale.ROOT, "Machine: %s cores, %s, %s GB, %s%n%n", machine.get("cores"), machine.get("cpu"),
                machine.get("memory_gb"), machine.get("java")));
        t.append(String.format(Locale.ROOT, "%-34s %10s %12s %9s %11s %12s %8s %8s%n", "mode", "images/s", "s to target",
                "final acc", "driver MB", "executor MB", "vs JVM", "vs torch"));
        for (JsonNode r : results) {
            if (r.path("mode").asText().equals("data-path")) {
                continue;
            }
            if (r.path("skipped").isTextual()) {
                t.append(String.format(Locale.ROOT, "%-34s skipped: %s%n", r.path("name").asText(), r.get("skipped").asText()));
                continue;
            }
            t.append(String.format(Locale.ROOT, "%-34s %10s %12s %9s %11s %12s %8s %8s%n", r.path("name").asText(),
                    num(r.path("images_per_second_median"), "%.0f"), num(r.path("seconds_to_target"), "%.0f"),
                    num(r.path("final_test_accuracy"), "%.4f"), num(r.at("/peak_memory_mb/driver"), "%.0f"),
                    r.at("/peak_memory_mb/executor_max").asLong(0) > 0 ? num(r.at("/peak_memory_mb/executor_max"), "%.0f") : "-",
                    num(r.path("vs_single_jvm"), "%.2fx"), num(r.path("vs_pytorch"), "%.2fx")));
        }
        JsonNode any = results.stream().filter(r -> r.path("target_accuracy").isNumber()).findFirst().orElse(null);
        if (any != null) {
            t.append(String.format(Locale.ROOT, "(images/s: median of the epochs after the first; s to target: training"
                    + " seconds until test accuracy >= %.2f, '-' if not reached)%n", any.get("target_accuracy").asDouble()));
        }
        for (JsonNode r : results) { // the JVM modes' backend line ends with their layer helper state
            String backend = r.path("backend").asText("");
            int at = backend.indexOf("layer helpers: ");
            if (at >= 0) {
                t.append(String.format(Locale.ROOT, "Layer helpers, %s: %s%n", r.path("name").asText(),
                        backend.substring(at + "layer helpers: ".length())));
            }
        }
        if (dataPath != null) {
            t.append(String.format(Locale.ROOT, "%nData path, one core: IDX %s images/s, image folder (PNG) %s images/s%n",
                    num(dataPath.path("idx_images_per_second"), "%.0f"),
                    num(dataPath.path("image_folder_images_per_second"), "%.0f")));
        }
        return t.toString();
    }

    /** One line per mode and target beyond the table's first: training seconds until the test accuracy reached it. */
    private static String timesToTargets(List<JsonNode> results, List<Double> targets) {
        if (targets.size() < 2) {
            return "";
        }
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%nTraining seconds to test accuracy:%n"));
        for (JsonNode r : results) {
            if (!r.path("seconds_to_targets").isObject()) {
                continue;
            }
            t.append(String.format(Locale.ROOT, "  %-34s", r.path("name").asText()));
            for (double target : targets) {
                t.append(String.format(Locale.ROOT, "  %.2f: %6s", target,
                        num(r.path("seconds_to_targets").path(BenchResult.targetKey(target)), "%.0f")));
            }
            t.append(System.lineSeparator());
        }
        return t.toString();
    }

    private static String num(JsonNode v, String format) {
        return v.isNumber() ? String.format(Locale.ROOT, format, v.asDouble()) : "-";
    }
}
