package io.sparkcnn.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout rules of docs/architecture.md, read off the main sources of every module (imports and fully
 * qualified names): no package cycles, and the workers module (what executors run without Spark) uses neither
 * Spark nor the driver.
 */
class PackageRulesTest {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    /** A reference to one of our classes: package segments in lower case, then the class name. */
    private static final Pattern OUR_CLASS = Pattern.compile("\\b(io\\.sparkcnn(?:\\.[a-z]\\w*)*)\\.[A-Z]\\w*");

    @Test
    void noPackageCycles() {
        Map<String, Set<String>> graph = packageGraph();
        assertTrue(graph.containsKey("io.sparkcnn.driver.train"), "the scan found no driver sources: " + graph.keySet());
        List<List<String>> cycles = cycles(graph);
        assertEquals(List.of(), cycles, "package cycles (each a strongly connected set of packages); the graph: " + graph);
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("a", Set.of("b"));
        graph.put("b", Set.of("c"));
        graph.put("c", Set.of("a"));
        graph.put("d", Set.of("a"));
        assertEquals(List.of(List.of("a", "b", "c")), cycles(graph));
    }

    @Test
    void workersUseNeitherSparkNorTheDriver() {
        List<String> offenders = new ArrayList<>();
        for (Path file : javaFiles(root().resolve("workers/src/main/java"))) {
            String source = read(file);
            if (source.contains("org.apache.spark") || source.contains("io.sparkcnn.driver")
                    || source.contains("io.sparkcnn.jobs")) {
                offenders.add(root().relativize(file).toString());
            }
        }
        assertFalse(javaFiles(root().resolve("workers/src/main/java")).isEmpty());
        assertEquals(List.of(), offenders, "workers must stay free of Spark and of the driver");
    }

    /** Package → the other packages of ours it refers to, over every module's main sources. */
    static Map<String, Set<String>> packageGraph() {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> modules = Files.list(root())) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                for (Path file : javaFiles(module.resolve("src/main/java"))) {
                    String source = read(file);
                    Matcher p = PACKAGE.matcher(source);
                    if (!p.find()) {
                        continue;
                    }
                    String pkg = p.group(1);
                    Set<String> targets = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                    Matcher m = OUR_CLASS.matcher(source);
                    while (m.find()) {
                        if (!m.group(1).equals(pkg)) {
                            targets.add(m.group(1));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    /** The strongly connected sets of more than one package (Tarjan), each sorted, in order of their first name. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<List<String>> found = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, found);
            }
        }
        found.sort(java.util.Comparator.comparing(c -> c.get(0)));
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<List<String>> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                found.add(component);
            }
        }
    }

    private static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository: the first folder upwards with a pom.xml that lists modules. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && read(dir.resolve("pom.xml")).contains("<modules>")) {
                return dir;
            }
        }
        throw new IllegalStateException("no pom.xml with <modules> above " + Path.of("").toAbsolutePath());
    }
}
