package io.sparkcnn.driver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.output.FolderLock;
import io.sparkcnn.driver.output.FolderLockedException;
import io.sparkcnn.driver.output.RunFolder;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A model registry on any Hadoop FileSystem:
 * <pre>
 * &lt;root&gt;/runs/&lt;id&gt;/        one folder per retrain (id sortable by time): model/ (a train run folder),
 *                         comparison/ (challenger vs champion on the holdout), decision.json
 * &lt;root&gt;/champion          pointer (JSON) to the serving model, replaced atomically
 * &lt;root&gt;/history.jsonl     one JSON line per run, promotion or rollback, oldest first
 * &lt;root&gt;/holdout.json      the fixed holdout every score is measured on (recorded by the first run)
 * &lt;root&gt;/lock              present while a retrain or registry command works on the registry
 * </pre>
 * The champion, history and holdout files are only written under the lock, each to a hidden temporary file
 * renamed over the old one (FileContext rename with OVERWRITE: atomic on HDFS), so a reader sees the old
 * or the new file, never half of one.
 */
public final class Registry {
    public static final String RUNS = "runs";
    public static final String CHAMPION = "champion";
    public static final String HISTORY = "history.jsonl";
    public static final String HOLDOUT = "holdout.json";
    public static final String LOCK = "lock";
    /** Inside a run folder: the trained model's run folder, the comparison report and the decision. */
    public static final String MODEL = "model";
    public static final String COMPARISON = "comparison";
    public static final String DECISION = "decision.json";
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final FileSystem fs;
    private final FileContext fc;
    private final Path root;

    private Registry(FileSystem fs, FileContext fc, Path root) {
        this.fs = fs;
        this.fc = fc;
        this.root = root;
    }

    /** Opens the registry at {@code uri}, creating its folders when {@code create}; errors name the URI (exit 2). */
    public static Registry open(String uri, Configuration conf, boolean create) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(conf);
            Path root = fs.makeQualified(path);
            if (create) {
                try {
                    fs.mkdirs(new Path(root, RUNS));
                } catch (AccessControlException e) {
                    throw new InvalidInputException("registry.path " + root + ": no permission to create the registry: "
                            + e.getMessage().lines().findFirst().orElse(""), e);
                }
            } else if (!fs.exists(new Path(root, RUNS))) {
                throw new InvalidInputException("registry " + root + " does not exist (no runs/ folder); the first retrain"
                        + " creates it");
            }
            return new Registry(fs, FileContext.getFileContext(root.toUri(), conf), root);
        } catch (IOException e) {
            throw new InvalidInputException("registry.path " + uri + " is not usable: " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path runDir(String id) {
        return new Path(new Path(root, RUNS), id);
    }

    /** The model.zip of a finished run. */
    public Path modelOf(String id) {
        return new Path(new Path(runDir(id), MODEL), "model.zip");
    }

    Path lockPath() {
        return new Path(root, LOCK);
    }

    FileContext fileContext() {
        return fc;
    }

    /** A new run id: the UTC time to the second, with -2, -3 ... when that second is taken. */
    public String newRunId(Instant now) throws IOException {
        String base = ID.format(now);
        String id = base;
        for (int n = 2; fs.exists(runDir(id)) || fs.exists(RunFolder.unfinished(runDir(id))); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    /** The serving model, if any. */
    public Optional<Champion> champion() throws IOException {
        return readJson(new Path(root, CHAMPION)).map(Champion::fromJson);
    }

    /** Points the registry at {@code champion} (atomic; under the lock). */
    public void setChampion(Champion champion) throws IOException {
        replace(new Path(root, CHAMPION), PRETTY.writeValueAsString(champion.toJson()));
    }

    /** Every history line, oldest first. */
    public List<JsonNode> history() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        Path file = new Path(root, HISTORY);
        if (!fs.exists(file)) {
            return lines;
        }
        String text;
        try (InputStream in = fs.open(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JsonFormat.checked(JSON.readTree(line), file + " (line " + (lines.size() + 1) + ")"));
            }
        }
        return lines;
    }

    /** Adds one line to history.jsonl, keeping every earlier line as it was (atomic; under the lock). */
    public void appendHistory(Map<String, Object> line) throws IOException {
        Path file = new Path(root, HISTORY);
        String old = "";
        if (fs.exists(file)) {
            try (InputStream in = fs.open(file)) {
                old = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        replace(file, old + JSON.writeValueAsString(JsonFormat.stamped(line)) + "\n");
    }

    public Optional<JsonNode> holdoutRecord() throws IOException {
        return readJson(new Path(root, HOLDOUT));
    }

    public void recordHoldout(Map<String, Object> record) throws IOException {
        replace(new Path(root, HOLDOUT), PRETTY.writeValueAsString(JsonFormat.stamped(record)));
    }

    /** Ids of the finished runs, oldest first. */
    public List<String> finishedRuns() throws IOException {
        List<String> ids = new ArrayList<>();
        for (FileStatus s : fs.listStatus(new Path(root, RUNS))) {
            String name = s.getPath().getName();
            if (s.isDirectory() && !name.startsWith(".")) {
                ids.add(name);
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Ids of runs that began and never finished (a killed driver leaves its hidden folder behind). */
    public List<String> unfinishedRuns() throws IOException {
        List<String> ids = new ArrayList<>();
        for (FileStatus s : fs.listStatus(new Path(root, RUNS))) {
            String name = s.getPath().getName();
            if (s.isDirectory() && name.startsWith(".") && name.endsWith(RunFolder.UNFINISHED)) {
                ids.add(name.substring(1, name.length() - RunFolder.UNFINISHED.length()));
            }
        }
        ids.sort(null);
        return ids;
    }

    /** decision.json of a finished run, if it has one. */
    public Optional<JsonNode> decisionOf(String id) throws IOException {
        return readJson(new Path(runDir(id), DECISION));
    }

    /** Writes {@code content} to a hidden sibling and renames it over {@code file}. */
    void replace(Path file, String content) throws IOException {
        Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp-" + UUID.randomUUID());
        try (OutputStream out = fc.create(tmp, EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        try {
            fc.rename(tmp, file, Options.Rename.OVERWRITE);
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw e;
        }
    }

    private Optional<JsonNode> readJson(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return Optional.of(JsonFormat.checked(JSON.readTree(in), file.toString()));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Takes the registry's lock for {@code owner} (a run id, or the registry command), taking over a stale one.
     *
     * @throws FolderLockedException when a live holder has it
     */
    public FolderLock lock(String owner, Duration staleAfter) throws IOException {
        return FolderLock.acquire(fileSystem(), fileContext(), lockPath(), "the registry lock", owner,
                staleAfter, false, (holder, age) -> "registry " + root() + " is locked by " + holder.describe()
                        + ", " + age.toSeconds() + " s ago: another retrain or registry command is running. Try again"
                        + " later; a lock not renewed for " + staleAfter.toSeconds() + " s (registry.lock-stale-after) is taken over");
    }
}
