package io.sparkcnn.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps README.md and docs/*.md in step with the code:
 * <ul>
 *   <li>the key table of docs/config.md against driver/src/main/resources/reference.conf, both ways, with
 *       the documented defaults, and every config key named in backticks anywhere in the docs;</li>
 *   <li>every Java class named in backticks (inline code and fenced blocks) against this repository's
 *       sources, or, for a DL4J/ND4J/Spark/Hadoop/JDK class, against the classpath;</li>
 *   <li>every relative link (and its #anchor) against the files and headings it points to.</li>
 * </ul>
 * Every check collects all problems and reports them together.
 */
class DocsConsistencyTest {

    /** Packages an external class named in the docs may come from. */
    static final List<String> EXTERNAL_PACKAGES = List.of(
            "org.deeplearning4j.", "org.nd4j.", "org.apache.spark.", "org.apache.hadoop.", "java.", "javax.");

    /** Simple names of external classes the docs name, with the class each stands for (checked by loading it). */
    static final Map<String, String> EXTERNAL = Map.ofEntries(
            Map.entry("ModelSerializer", "org.deeplearning4j.util.ModelSerializer"),
            Map.entry("MultiLayerNetwork", "org.deeplearning4j.nn.multilayer.MultiLayerNetwork"),
            Map.entry("MultiLayerConfiguration", "org.deeplearning4j.nn.conf.MultiLayerConfiguration"),
            Map.entry("ConvolutionLayer", "org.deeplearning4j.nn.layers.convolution.ConvolutionLayer"),
            Map.entry("SparkDl4jMultiLayer", "org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer"),
            Map.entry("ParameterAveragingTrainingMaster",
                    "org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster"),
            Map.entry("SparkEarlyStoppingTrainer", "org.deeplearning4j.spark.earlystopping.SparkEarlyStoppingTrainer"),
            Map.entry("DataSet", "org.nd4j.linalg.dataset.DataSet"),
            Map.entry("INDArray", "org.nd4j.linalg.api.ndarray.INDArray"),
            Map.entry("NormalizerMinMaxScaler", "org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler"),
            Map.entry("NormalizerStandardize", "org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize"),
            Map.entry("FileSystem", "org.apache.hadoop.fs.FileSystem"),
            Map.entry("FileContext", "org.apache.hadoop.fs.FileContext"),
            Map.entry("LogsCLI", "org.apache.hadoop.yarn.client.cli.LogsCLI"),
            Map.entry("HelperUtils", "org.deeplearning4j.nn.layers.HelperUtils"),
            Map.entry("CacheMode", "org.deeplearning4j.nn.conf.CacheMode"),
            Map.entry("MKLDNNBatchNormHelper", "org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper"),
            Map.entry("ParameterAveragingTrainingWorker", "org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker"),
            Map.entry("IActivation", "org.nd4j.linalg.activations.IActivation"));

    /**
     * ND4J backends, as the backend log line names them: only the one the build selected (CPU, or -Pcuda) is on
     * the classpath, so a name passes when it is one of these and one of them loads.
     */
    static final Map<String, String> ND4J_BACKENDS = Map.of(
            "CpuBackend", "org.nd4j.linalg.cpu.nativecpu.CpuBackend",
            "JCublasBackend", "org.nd4j.linalg.jcublas.JCublasBackend");

    /** Class-like names that are not Java: each must occur in the file given (relative to the repository). */
    static final Map<String, String> NON_JAVA = Map.of(
            "SparkSubmitOperator", "conf/schedule/sparkcnn_retrain_dag.py",
            "SuccessExitStatus", "conf/schedule/sparkcnn-retrain.service");

    /** Product names that look like class names in transcripts and comments. */
    static final Set<String> NOT_CLASSES = Set.of("LeNet", "OpenJDK", "PyTorch", "OpenBLAS", "OpenMP");

    /**
     * A class reference inside code: an optional lower-case package, a capitalised name, an optional
     * ".method". Not preceded by a word character, '.', '/', '$' or '-' (so no option like -DskipTests,
     * no path segment, no shell variable).
     */
    static final Pattern CLASS_TOKEN =
            Pattern.compile("(?<![\\w./$\\-])((?:[a-z][a-z0-9_]*\\.)*)([A-Z][A-Za-z0-9_]*)((?:\\.[a-z][A-Za-z0-9_]*)?)");
    /** ".md" in `README.md`: a file name, not a method. */
    static final Set<String> FILE_EXTENSIONS = Set.of("md", "java", "conf", "json", "jsonl", "zip", "py", "sh", "txt",
            "html", "xml", "properties", "gz", "png", "jar", "service", "timer", "example", "log");

    static final Pattern INLINE_CODE = Pattern.compile("`([^`\\n]+)`");
    static final Pattern LINK = Pattern.compile("(?<!!)\\[([^\\]\\n]*)\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    static final Pattern DOTTED_KEY = Pattern.compile("[a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)+");
    static final Pattern CONFIG_MENTION = Pattern.compile(
            "(?<![\\w./-])((?:data|model|training|output|registry)\\.[a-z0-9*-]+(?:\\.[a-z0-9*-]+)*)(\\(?)");
    static final Pattern DECLARATION = Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z][A-Za-z0-9_]*)");
    static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");

    static Path root;
    static List<Path> docs;

    @BeforeAll
    static void findRepository() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("docs")))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "no folder with pom.xml and docs/ above " + Path.of("").toAbsolutePath());
        root = dir;
        docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        assertTrue(Files.isRegularFile(docs.get(0)), "README.md is missing");
        assertTrue(docs.contains(root.resolve("docs/config.md")), "docs/config.md is missing");
    }

    // ---------------------------------------------------------------- config keys

    @Test
    void configTableMatchesReferenceConf() {
        Map<String, ConfigValue> reference = referenceKeys();
        Map<String, String> documented = new LinkedHashMap<>(); // key -> documented default ("" when blank)
        List<String> problems = new ArrayList<>();
        List<List<String>> rows = keyTable(read(root.resolve("docs/config.md")));
        assertFalse(rows.isEmpty(), "docs/config.md has no table with the header | key | default | meaning |");
        for (List<String> row : rows) {
            String rowText = String.join(" | ", row);
            List<String> keys = new ArrayList<>();
            for (String code : inlineCode(row.get(0))) {
                if (DOTTED_KEY.matcher(code).matches()) {
                    keys.add(code);
                }
            }
            if (keys.isEmpty()) {
                problems.add("config.md row names no key in backticks: | " + rowText + " |");
                continue;
            }
            String defaultCell = row.size() > 1 ? row.get(1).trim() : "";
            List<String> defaults = inlineCode(defaultCell);
            if (defaultCell.isEmpty()) {
                defaults = keys.stream().map(k -> "").collect(Collectors.toList());
            } else if (defaults.size() != keys.size()) {
                problems.add("config.md row has " + keys.size() + " key(s) but " + defaults.size()
                        + " default(s) in backticks: | " + rowText + " |");
                continue;
            }
            for (int i = 0; i < keys.size(); i++) {
                if (documented.put(keys.get(i), defaults.get(i)) != null) {
                    problems.add("config.md lists " + keys.get(i) + " twice");
                }
            }
        }
        for (String key : reference.keySet()) {
            if (!documented.containsKey(key)) {
                problems.add(key + " is in reference.conf but not in the table of docs/config.md");
            }
        }
        for (Map.Entry<String, String> e : documented.entrySet()) {
            ConfigValue value = reference.get(e.getKey());
            if (value == null) {
                problems.add(e.getKey() + " is in docs/config.md but not in reference.conf");
                continue;
            }
            String expected = normalise(value);
            String actual = normaliseDocumented(e.getValue(), value.valueType());
            if (!expected.equals(actual)) {
                problems.add(e.getKey() + ": docs/config.md says the default is "
                        + (e.getValue().isEmpty() ? "(blank)" : "`" + e.getValue() + "`")
                        + ", reference.conf has " + value.render(ConfigRenderOptions.concise()));
            }
        }
        assertNoProblems("config table vs reference.conf", problems);
    }

    @Test
    void configKeysNamedInTheDocsExist() {
        Set<String> keys = referenceKeys().keySet();
        List<String> problems = new ArrayList<>();
        for (Path doc : docs) {
            for (String code : codeTexts(read(doc))) {
                Matcher m = CONFIG_MENTION.matcher(code);
                while (m.find()) {
                    String mention = m.group(1);
                    String last = mention.substring(mention.lastIndexOf('.') + 1);
                    if (!m.group(2).isEmpty() || FILE_EXTENSIONS.contains(last)) {
                        continue; // model.summary(), model.zip
                    }
                    Pattern glob = Pattern.compile(Pattern.quote(mention).replace("*", "\\E[a-z0-9.-]*\\Q"));
                    String prefix = mention.endsWith(".*") ? mention.substring(0, mention.length() - 1) : mention + ".";
                    boolean known = keys.contains(mention) || keys.stream().anyMatch(k -> k.startsWith(prefix))
                            || keys.stream().anyMatch(k -> glob.matcher(k).matches());
                    if (!known) {
                        problems.add(rel(doc) + ": `" + code + "` names " + mention + ", which reference.conf lacks");
                    }
                }
            }
        }
        assertNoProblems("config keys named in the docs", problems);
    }

    /** Leaf keys under sparkcnn in reference.conf (lists such as model.layers are leaves), relative to sparkcnn. */
    static Map<String, ConfigValue> referenceKeys() {
        Config config = ConfigFactory.parseFile(root.resolve("driver/src/main/resources/reference.conf").toFile())
                .getConfig("sparkcnn");
        Map<String, ConfigValue> keys = new TreeMap<>();
        config.entrySet().forEach(e -> keys.put(e.getKey(), e.getValue()));
        assertTrue(keys.size() > 10, "reference.conf has only " + keys.size() + " keys under sparkcnn");
        return keys;
    }

    /** Rows (cells) of the table whose header is | key | default | meaning |, separator row dropped. */
    static List<List<String>> keyTable(String markdown) {
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : withoutFences(markdown).split("\n", -1)) {
            String trimmed = line.trim();
            if (!inTable) {
                if (trimmed.startsWith("|")) {
                    List<String> header = cells(trimmed);
                    inTable = header.size() >= 2 && header.get(0).trim().equals("key")
                            && header.get(1).trim().equals("default");
                }
                continue;
            }
            if (!trimmed.startsWith("|")) {
                break;
            }
            if (!trimmed.matches("\\|[\\s|:-]+\\|")) {
                rows.add(cells(trimmed));
            }
        }
        return rows;
    }

    /** The cells of a table row: split on '|' outside backticks (and not escaped), outer pipes dropped. */
    static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean code = false;
        for (int i = 0; i < row.length(); i++) {
            char c = row.charAt(i);
            if (c == '\\' && i + 1 < row.length() && row.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (c == '`') {
                code = !code;
                cell.append(c);
            } else if (c == '|' && !code) {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString().trim());
        if (!cells.isEmpty() && cells.get(0).isEmpty()) {
            cells.remove(0);
        }
        if (!cells.isEmpty() && cells.get(cells.size() - 1).isEmpty()) {
            cells.remove(cells.size() - 1);
        }
        return cells;
    }

    /** reference.conf's value as the docs write it: strings unquoted, numbers without trailing zeros, lists as HOCON. */
    static String normalise(ConfigValue value) {
        return switch (value.valueType()) {
            case STRING -> (String) value.unwrapped();
            case NUMBER -> number(value.unwrapped().toString());
            case BOOLEAN -> value.unwrapped().toString();
            default -> value.render(ConfigRenderOptions.concise());
        };
    }

    static String normaliseDocumented(String documented, ConfigValueType type) {
        String s = documented.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        if (type == ConfigValueType.NUMBER) {
            try {
                return number(s);
            } catch (NumberFormatException e) {
                return s;
            }
        }
        if (type == ConfigValueType.LIST || type == ConfigValueType.OBJECT) {
            try {
                return ConfigFactory.parseString("v = " + s).getValue("v").render(ConfigRenderOptions.concise());
            } catch (RuntimeException e) {
                return s;
            }
        }
        return s;
    }

    static String number(String s) {
        return new BigDecimal(s).stripTrailingZeros().toPlainString();
    }

    // ---------------------------------------------------------------- class names

    @Test
    void classesNamedInTheDocsExist() throws IOException {
        Map<String, Set<String>> declared = declaredClasses(); // simple name -> packages
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> checked = new TreeMap<>();
        for (Path doc : docs) {
            for (String code : codeTexts(read(doc))) {
                Matcher m = CLASS_TOKEN.matcher(code);
                while (m.find()) {
                    String pkg = m.group(1);
                    String name = m.group(2);
                    String member = m.group(3);
                    boolean fileName = !member.isEmpty() && FILE_EXTENSIONS.contains(member.substring(1));
                    if (fileName || !(classLike(name) || !pkg.isEmpty() || !member.isEmpty())) {
                        continue;
                    }
                    String problem = checkClass(pkg, name, declared);
                    if (problem != null) {
                        problems.add(rel(doc) + ": `" + pkg + name + member + "` " + problem);
                    }
                    checked.computeIfAbsent(pkg + name, k -> new TreeSet<>()).add(rel(doc));
                }
            }
        }
        assertTrue(checked.containsKey("SparkTrainer") && checked.containsKey("io.sparkcnn.jobs.TrainJob"),
                "the class-name scan found too little: " + checked.keySet());
        assertNoProblems("class names in the docs", problems);
    }

    /**
     * UpperCamelCase with a second capital and a lower-case letter: SparkTrainer, DataSet, INDArray; not CPU,
     * Keras, nor a plural acronym (JVMs, PNGs).
     */
    static boolean classLike(String name) {
        long capitals = name.chars().filter(Character::isUpperCase).count();
        return capitals >= 2 && name.chars().anyMatch(Character::isLowerCase) && !name.matches("[A-Z]+s");
    }

    /** Null when the name is fine, else what is wrong with it. */
    static String checkClass(String pkg, String name, Map<String, Set<String>> declared) {
        if (pkg.startsWith("io.sparkcnn.")) {
            String p = pkg.substring(0, pkg.length() - 1);
            return declared.getOrDefault(name, Set.of()).contains(p) ? null : "is not declared in package " + p;
        }
        if (io.sparkcnn.workers.LayerHelpers.CUDNN_HELPER_CLASSES.contains(pkg + name)) {
            // the docs name DL4J's cuDNN helper classes because M2.1 does not publish them
            return loads(pkg + name) ? "loads now, but the docs say DL4J M2.1 has no such class: update them" : null;
        }
        if (!pkg.isEmpty()) {
            if (EXTERNAL_PACKAGES.stream().noneMatch(pkg::startsWith)) {
                return "is in a package outside " + EXTERNAL_PACKAGES;
            }
            return loads(pkg + name) ? null : "does not load";
        }
        if (declared.containsKey(name)) {
            return null;
        }
        if (EXTERNAL.containsKey(name)) {
            return loads(EXTERNAL.get(name)) ? null : "stands for " + EXTERNAL.get(name) + ", which does not load";
        }
        if (ND4J_BACKENDS.containsKey(name)) {
            return ND4J_BACKENDS.values().stream().anyMatch(DocsConsistencyTest::loads) ? null
                    : "is an ND4J backend but none of " + ND4J_BACKENDS.values() + " loads";
        }
        if (NON_JAVA.containsKey(name)) {
            return read(root.resolve(NON_JAVA.get(name))).contains(name) ? null
                    : "is not in " + NON_JAVA.get(name);
        }
        if (NOT_CLASSES.contains(name)) {
            return null;
        }
        return "is not declared in this repository's sources nor listed in DocsConsistencyTest.EXTERNAL"
                + " (a stale name? if it is a DL4J/ND4J/Spark/Hadoop/JDK class, add it there)";
    }

    static boolean loads(String className) {
        if (EXTERNAL_PACKAGES.stream().noneMatch(className::startsWith)) {
            return false;
        }
        try {
            Class.forName(className, false, DocsConsistencyTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Test
    void externalMapIsWellFormed() {
        for (String fqn : EXTERNAL.values()) {
            assertTrue(EXTERNAL_PACKAGES.stream().anyMatch(fqn::startsWith), fqn + " is outside " + EXTERNAL_PACKAGES);
            assertTrue(loads(fqn), fqn + " does not load");
        }
        EXTERNAL.forEach((simple, fqn) -> assertTrue(fqn.endsWith("." + simple), fqn + " is not " + simple));
    }

    /** Simple names of every class, interface, record and enum declared in the modules' src folders, with their packages. */
    static Map<String, Set<String>> declaredClasses() throws IOException {
        Map<String, Set<String>> declared = new HashMap<>();
        List<Path> sourceRoots;
        try (Stream<Path> modules = Files.list(root)) {
            sourceRoots = modules.map(m -> m.resolve("src")).filter(Files::isDirectory).collect(Collectors.toList());
        }
        for (Path src : sourceRoots) {
            try (Stream<Path> files = Files.walk(src)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                    String text = read(file);
                    Matcher p = PACKAGE.matcher(text);
                    String pkg = p.find() ? p.group(1) : "";
                    Matcher m = DECLARATION.matcher(text);
                    while (m.find()) {
                        declared.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(pkg);
                    }
                }
            }
        }
        assertTrue(declared.containsKey("SparkTrainer"), "no sources found under " + sourceRoots);
        return declared;
    }

    // ---------------------------------------------------------------- the YARN command

    /**
     * The YARN command of the README and of docs/cluster.md is the one YarnClusterIT submits: the same spark-submit
     * options ({@link YarnTestCluster#SPARK_ARGS}), then {@code --files <conf> -- --config <conf>}; only the
     * config's name may differ.
     */
    @Test
    void theYarnCommandInTheDocsIsTheOneTheYarnTestRuns() {
        for (Path doc : List.of(root.resolve("README.md"), root.resolve("docs/cluster.md"))) {
            String joined = read(doc).replaceAll("[ \\t]*\\\\\n\\s*", " "); // continued lines joined
            List<String> commands = joined.lines().map(String::trim)
                    .filter(l -> l.startsWith("scripts/submit.sh train --master yarn --deploy-mode cluster --num-executors"))
                    .toList();
            assertEquals(1, commands.size(), rel(doc) + ": one full YARN train command: " + commands);
            List<String> words = shellWords(commands.get(0));
            int dashes = words.indexOf("--");
            assertTrue(dashes > 0, rel(doc) + ": no -- in " + words);
            List<String> spark = words.subList(2, dashes);
            int files = spark.indexOf("--files");
            assertTrue(files > 0 && files == spark.size() - 2, rel(doc) + ": --files <conf> ends the Spark options: " + spark);
            assertEquals(YarnTestCluster.SPARK_ARGS, spark.subList(0, files), rel(doc) + ": the YARN test's options");
            String conf = spark.get(files + 1);
            assertEquals(List.of("--config", conf), words.subList(dashes + 1, words.size()), rel(doc));
        }
    }

    /** A command line split as bash splits it: blanks outside quotes separate words, quotes are removed. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    // ---------------------------------------------------------------- links

    @Test
    void relativeLinksResolve() {
        List<String> problems = new ArrayList<>();
        int links = 0;
        for (Path doc : docs) {
            String text = INLINE_CODE.matcher(withoutFences(read(doc))).replaceAll("code");
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(2);
                if (target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // https:, mailto:
                }
                links++;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? "" : target.substring(hash + 1);
                Path file = path.isEmpty() ? doc : doc.getParent().resolve(path).normalize();
                if (!file.startsWith(root) || !Files.exists(file)) {
                    problems.add(rel(doc) + ": link (" + target + ") points to a missing file");
                } else if (!anchor.isEmpty() && file.toString().endsWith(".md") && !anchors(read(file)).contains(anchor)) {
                    problems.add(rel(doc) + ": link (" + target + ") names a heading " + rel(file) + " does not have");
                }
            }
        }
        assertTrue(links > 0, "no relative links found at all");
        assertNoProblems("relative links", problems);
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new TreeSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : withoutFences(markdown).split("\n")) {
            Matcher m = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$").matcher(line);
            if (m.matches()) {
                String slug = m.group(1).toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N}\\s_-]", "")
                        .replaceAll("\\s", "-");
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
        }
        return anchors;
    }

    // ---------------------------------------------------------------- markdown helpers

    /** The text of every inline code span outside fences, and every fenced block. */
    static List<String> codeTexts(String markdown) {
        List<String> texts = new ArrayList<>();
        StringBuilder fence = null;
        StringBuilder prose = new StringBuilder();
        for (String line : markdown.split("\n", -1)) {
            if (line.trim().startsWith("```")) {
                if (fence == null) {
                    fence = new StringBuilder();
                } else {
                    texts.add(fence.toString());
                    fence = null;
                }
            } else if (fence != null) {
                fence.append(line).append('\n');
            } else {
                prose.append(line).append('\n');
            }
        }
        texts.addAll(inlineCode(prose.toString()));
        return texts;
    }

    static List<String> inlineCode(String text) {
        List<String> spans = new ArrayList<>();
        Matcher m = INLINE_CODE.matcher(text);
        while (m.find()) {
            spans.add(m.group(1).trim());
        }
        return spans;
    }

    /** The markdown with fenced blocks blanked (line count kept). */
    static String withoutFences(String markdown) {
        StringBuilder out = new StringBuilder();
        boolean inFence = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.trim().startsWith("```")) {
                inFence = !inFence;
                out.append('\n');
            } else {
                out.append(inFence ? "" : line).append('\n');
            }
        }
        return out.toString();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String rel(Path file) {
        return root.relativize(file).toString();
    }

    static void assertNoProblems(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(what + ": " + problems.size() + " problem(s)\n  " + String.join("\n  ", problems));
        }
    }
}
