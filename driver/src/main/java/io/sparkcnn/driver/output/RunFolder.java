package io.sparkcnn.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.driver.common.InvalidInputException;
import io.sparkcnn.driver.common.JsonFormat;
import io.sparkcnn.driver.data.ImageFolderLister;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.AccessControlException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A run folder on any Hadoop FileSystem, written atomically: files go into a hidden sibling
 * ({@code .<name>._unfinished}) and the folder is renamed into place only when complete, so readers never
 * see half a run. The unfinished folder has a fixed name so that the same command, run again after a crash,
 * finds it and resumes from its checkpoints; {@code overwrite} discards it instead. On a failure without
 * checkpoints {@link #abort()} removes it.
 *
 * <p>The unfinished folder holds a small marker, {@value #MARKER}, naming the job that writes it and whether the run
 * replaces an existing output (it was started with overwrite): a train run started with overwrite and interrupted is
 * resumed by the same command (with or without overwrite, or {@code --resume}) and still replaces the old output when
 * it finishes. Jobs with nothing to resume (evaluate, predict: {@link #beginFresh}) discard an unfinished folder of
 * their own kind that a failed or killed run left. The marker is removed before the folder is published.
 *
 * <p>While a job writes an output it holds the lock {@code .<name>.lock} beside it ({@link FolderLock#acquireOutput},
 * renewed; taken over when stale for {@link #LOCK_STALE_AFTER} or when its holder's process on this host is gone): a
 * second job on the same output exits 75 naming the first instead of discarding or resuming its unfinished folder.
 */
public final class RunFolder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final String job;
    private final boolean overwrite;
    private final boolean existed;
    private FolderLock lock;
    private boolean committed;

    /** An output lock not renewed for this long belongs to a job that died. */
    public static final Duration LOCK_STALE_AFTER = Duration.ofSeconds(60);

    /** Suffix of the hidden folder that holds a run until it is complete. */
    public static final String UNFINISHED = "._unfinished";
    /** The marker inside the unfinished folder: {"job", "overwrite", "started", "host"}. */
    public static final String MARKER = "_run.json";
    /** The job kind of {@link #begin(String, boolean, Configuration)}: a run resumable from its checkpoints. */
    public static final String TRAIN = "train";

    private RunFolder(FileSystem fs, Path target, Path temp, String job, boolean overwrite, boolean existed) {
        this.fs = fs;
        this.target = target;
        this.temp = temp;
        this.job = job;
        this.overwrite = overwrite;
        this.existed = existed;
    }

    /** Fails (exit code 2) when the target exists and overwrite is off; run before any work. */
    public static Path checkTarget(String uri, boolean overwrite, Configuration conf) {
        try {
            Path target = new Path(uri);
            FileSystem fs = target.getFileSystem(conf);
            Path qualified = fs.makeQualified(target);
            if (qualified.isRoot()) { // it has no parent to hold the unfinished folder, and overwrite would empty the disk
                throw new InvalidInputException("output.path " + qualified + " is the root of its file system: refusing"
                        + " to write (and with --overwrite, to delete) it; choose a folder below it");
            }
            if (fs.exists(qualified) && !overwrite && !replacingTrainRun(fs, qualified)) {
                throw new InvalidInputException("output.path " + qualified + " already exists; choose another path or set"
                        + " output.overwrite = true");
            }
            return qualified;
        } catch (IOException e) {
            throw new InvalidInputException("output.path " + uri + " is not usable: " + e.getMessage(), e);
        }
    }

    /** Something a job reads, named by the config key or option that gave it (for the error message). */
    public record Input(String key, String uri) {
    }

    /**
     * Fails (exit code 2) when the output would destroy an input: the output equals or contains one (a commit with
     * overwrite deletes the old folder), or it lies inside an input folder and already holds images of it. Also
     * refuses the root of a file system. Paths are compared qualified and normalised, and on file:// with
     * symlinks resolved too, so a link cannot hide that two names are one folder. Run before anything is written.
     */
    public static void checkNotInput(String outputKey, String output, List<Input> inputs, Configuration conf) {
        Path out = qualify(outputKey, output, conf);
        if (out.isRoot()) {
            throw new InvalidInputException(outputKey + " " + out + " is the root of its file system: refusing to write"
                    + " (and with --overwrite, to delete) it; choose a folder below it");
        }
        List<Path> outForms = forms(out);
        for (Input input : inputs) {
            Path in = qualify(input.key(), input.uri(), conf);
            List<Path> inForms = forms(in);
            for (Path o : outForms) {
                for (Path i : inForms) {
                    if (contains(o, i)) {
                        throw new InvalidInputException(outputKey + " " + out + (sameFolder(o, i) ? " is" : " contains")
                                + " the input " + in + " (" + input.key() + "): refusing to write (and with --overwrite,"
                                + " to delete) it; choose another output");
                    }
                    if (contains(i, o)) {
                        imageInside(out, conf).ifPresent(image -> {
                            throw new InvalidInputException(outputKey + " " + out + " lies inside the input " + in + " ("
                                    + input.key() + ") and holds its image " + image + ": refusing to write (and with"
                                    + " --overwrite, to delete) it; choose another output");
                        });
                    }
                }
            }
        }
    }

    private static Path qualify(String key, String uri, Configuration conf) {
        try {
            Path p = new Path(uri);
            return p.getFileSystem(conf).makeQualified(p);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidInputException(key + " " + uri + " is not a usable path: " + e.getMessage(), e);
        }
    }

    /** The qualified path and, on file://, the same with symlinks resolved as far as the path exists. */
    private static List<Path> forms(Path qualified) {
        List<Path> forms = new ArrayList<>(List.of(qualified));
        if (!"file".equals(qualified.toUri().getScheme())) {
            return forms;
        }
        java.nio.file.Path local = Paths.get(qualified.toUri().getPath()).normalize();
        java.nio.file.Path existing = local;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null) {
            try {
                java.nio.file.Path real = existing.toRealPath().resolve(existing.relativize(local)).normalize();
                forms.add(new Path("file", null, real.toString()));
            } catch (IOException e) {
                // unreadable: the qualified form is all there is to compare
            }
        }
        return forms;
    }

    /** True when {@code inner} is {@code outer} or lies below it, on the same file system. */
    private static boolean contains(Path outer, Path inner) {
        if (!sameFileSystem(outer, inner)) {
            return false;
        }
        String o = pathOf(outer);
        String i = pathOf(inner);
        return i.equals(o) || o.equals("/") || i.startsWith(o + "/");
    }

    private static boolean sameFolder(Path a, Path b) {
        return sameFileSystem(a, b) && pathOf(a).equals(pathOf(b));
    }

    private static boolean sameFileSystem(Path a, Path b) {
        return lower(a.toUri().getScheme()).equals(lower(b.toUri().getScheme()))
                && lower(a.toUri().getAuthority()).equals(lower(b.toUri().getAuthority()));
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    private static String pathOf(Path p) {
        String s = p.toUri().getPath();
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** An image file below {@code folder} when it exists (what an overwrite would delete), else empty. */
    private static Optional<Path> imageInside(Path folder, Configuration conf) {
        try {
            FileSystem fs = folder.getFileSystem(conf);
            if (!fs.exists(folder)) {
                return Optional.empty();
            }
            return findImage(fs, fs.getFileStatus(folder));
        } catch (IOException e) {
            return Optional.empty(); // checkTarget reports an unusable output
        }
    }

    private static Optional<Path> findImage(FileSystem fs, FileStatus status) throws IOException {
        if (!status.isDirectory()) {
            return ImageFolderLister.isImage(status.getPath().getName()) ? Optional.of(status.getPath()) : Optional.empty();
        }
        for (FileStatus child : fs.listStatus(status.getPath())) {
            Optional<Path> found = findImage(fs, child);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The run folder a user means: the target itself, or the target of a hidden unfinished folder named directly. */
    public static String targetOf(String uri) {
        Path p = new Path(uri);
        String name = p.getName();
        if (name.startsWith(".") && name.endsWith(UNFINISHED) && name.length() > UNFINISHED.length() + 1) {
            return new Path(p.getParent(), name.substring(1, name.length() - UNFINISHED.length())).toString();
        }
        return uri;
    }

    /** The hidden folder where the run at {@code target} is written until it is complete. */
    public static Path unfinished(Path target) {
        return new Path(target.getParent(), "." + target.getName() + UNFINISHED);
    }

    /**
     * Opens the unfinished folder of the (train) run at {@code uri}: an existing one (left by a run that crashed)
     * is kept for resuming unless {@code overwrite} is set, in which case it is discarded; but one that was itself
     * started with overwrite (its marker says so) is kept for resuming either way, and replaces the target on commit.
     */
    public static RunFolder begin(String uri, boolean overwrite, Configuration conf) throws IOException {
        Path target = checkTarget(uri, overwrite, conf);
        FileSystem fs = target.getFileSystem(conf);
        Path temp = unfinished(target);
        FolderLock lock = lockOutput(fs, target, TRAIN);
        try {
            return beginLocked(fs, target, temp, overwrite, lock);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(lock);
            throw e;
        }
    }

    private static void closeQuietly(FolderLock lock) {
        try {
            lock.close();
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(RunFolder.class).warn("Could not release {}: {}", lock, e.toString());
        }
    }

    private static FolderLock lockOutput(FileSystem fs, Path target, String job) throws IOException {
        try {
            return FolderLock.acquireOutput(fs, target, job + "-" + UUID.randomUUID().toString().substring(0, 8),
                    LOCK_STALE_AFTER);
        } catch (AccessControlException e) {
            throw new InvalidInputException("output.path " + target + ": no permission to create the run folder: "
                    + firstLine(e.getMessage()), e);
        }
    }

    private static RunFolder beginLocked(FileSystem fs, Path target, Path temp, boolean overwrite, FolderLock lock)
            throws IOException {
        boolean existed = fs.exists(temp);
        boolean replaces = overwrite;
        if (existed) {
            if (replacingTrainRun(fs, target)) {
                replaces = true; // the overwrite began already: resume it, and it still replaces the old output
            } else if (overwrite) {
                fs.delete(temp, true);
                existed = false;
            }
        }
        return open(fs, target, temp, TRAIN, replaces, existed, lock);
    }

    /**
     * Opens a new unfinished folder for a job with nothing to resume (evaluate, predict: {@code job} names it). An
     * unfinished folder that a failed or killed run of the same job left is discarded (WARN); one of another job (a
     * train run's checkpoints) is refused (exit code 2) unless {@code overwrite}.
     */
    public static RunFolder beginFresh(String job, String uri, boolean overwrite, Configuration conf) throws IOException {
        Path target = checkTarget(uri, overwrite, conf);
        FileSystem fs = target.getFileSystem(conf);
        Path temp = unfinished(target);
        FolderLock lock = lockOutput(fs, target, job);
        try {
            return beginFreshLocked(job, fs, target, temp, overwrite, lock);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(lock);
            throw e;
        }
    }

    private static RunFolder beginFreshLocked(String job, FileSystem fs, Path target, Path temp, boolean overwrite,
                                              FolderLock lock) throws IOException {
        if (fs.exists(temp)) {
            JsonNode marker = marker(fs, temp);
            String other = marker == null ? (fs.exists(new Path(temp, CheckpointStore.FOLDER)) ? TRAIN : null)
                    : marker.path("job").asText("?");
            if (other != null && !other.equals(job) && !overwrite) {
                throw new InvalidInputException("output " + target + ": " + temp + " holds an unfinished " + other
                        + " run" + (marker == null ? "" : " (started " + marker.path("started").asText("?") + " on "
                        + marker.path("host").asText("?") + ")") + "; choose another output, or pass --overwrite to"
                        + " discard it");
            }
            org.slf4j.LoggerFactory.getLogger(RunFolder.class).warn("Discarding {}, left by an earlier {} run that did"
                    + " not finish", temp, other == null ? job : other);
            fs.delete(temp, true);
        }
        return open(fs, target, temp, job, overwrite, false, lock);
    }

    private static RunFolder open(FileSystem fs, Path target, Path temp, String job, boolean overwrite, boolean existed,
                                  FolderLock lock) throws IOException {
        try {
            if (!existed && !fs.mkdirs(temp)) {
                throw new InvalidInputException("output.path " + target + ": cannot create " + temp
                        + " (is the parent folder writable?)");
            }
        } catch (AccessControlException e) {
            throw new InvalidInputException("output.path " + target + ": no permission to create the run folder: "
                    + firstLine(e.getMessage()), e);
        }
        RunFolder folder = new RunFolder(fs, target, temp, job, overwrite, existed);
        folder.lock = lock;
        if (!existed || marker(fs, temp) == null) {
            folder.writeMarker();
        }
        return folder;
    }

    private void writeMarker() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", job);
        m.put("overwrite", overwrite);
        m.put("started", Instant.now().toString());
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        m.put("host", host);
        m.put("pid", ProcessHandle.current().pid());
        try (OutputStream out = fs.create(new Path(temp, MARKER), true)) {
            out.write(JSON.writeValueAsBytes(JsonFormat.stamped(m)));
        }
    }

    /** The marker of an unfinished folder, or null when it has none (or it is unreadable). */
    static JsonNode marker(FileSystem fs, Path temp) {
        JsonNode marker;
        try (InputStream in = fs.open(new Path(temp, MARKER))) {
            marker = JSON.readTree(in);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return JsonFormat.checked(marker, new Path(temp, MARKER).toString());
    }

    /** True when the unfinished folder beside {@code target} is a train run started with overwrite (it replaces it). */
    private static boolean replacingTrainRun(FileSystem fs, Path target) {
        JsonNode marker = marker(fs, unfinished(target));
        return marker != null && TRAIN.equals(marker.path("job").asText()) && marker.path("overwrite").asBoolean(false);
    }

    /** True when the run replaces an existing output when it commits (overwrite now, or when it began). */
    public boolean overwrite() {
        return overwrite;
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** True when the unfinished folder was left by an earlier attempt (its checkpoints may be resumed). */
    public boolean existed() {
        return existed;
    }

    public Path target() {
        return target;
    }

    public Path temp() {
        return temp;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public OutputStream create(String name) throws IOException {
        return fs.create(new Path(temp, name), false);
    }

    public void writeString(String name, String content) throws IOException {
        try (OutputStream out = create(name)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Removes an entry (file or folder) of the unfinished run, e.g. scratch data that must not be published. */
    public void delete(String name) throws IOException {
        fs.delete(new Path(temp, name), true);
    }

    /** Renames the finished folder into place (replacing an old run only when overwrite was asked for). */
    public Path commit() throws IOException {
        fs.delete(new Path(temp, MARKER), false);
        Path old = null;
        if (fs.exists(target)) {
            if (!overwrite) {
                throw new IOException("output.path " + target + " appeared while the job ran; the finished run stays in " + temp);
            }
            old = new Path(target.getParent(), "." + target.getName() + "._old-" + UUID.randomUUID());
            if (!fs.rename(target, old)) {
                throw new IOException("cannot move the existing run " + target + " aside");
            }
        }
        if (!fs.rename(temp, target)) {
            if (old != null) {
                fs.rename(old, target);
            }
            throw new IOException("cannot rename " + temp + " to " + target);
        }
        committed = true;
        if (old != null) {
            fs.delete(old, true);
        }
        release();
        return target;
    }

    /** Empties the unfinished folder left by an earlier attempt, to start the run over in it. */
    public void clear() throws IOException {
        fs.delete(temp, true);
        if (!fs.mkdirs(temp)) {
            throw new IOException("cannot recreate " + temp);
        }
        writeMarker();
    }

    /** Removes the unfinished folder (for a run with nothing worth resuming). */
    public void abort() {
        if (committed) {
            return;
        }
        try {
            fs.delete(temp, true);
        } catch (IOException ignored) {
            // best effort: the folder is hidden and named as temporary
        }
        release();
    }

    /** Releases the output's lock (after commit or abort, or when a failed run keeps its folder for resuming). */
    public void release() {
        FolderLock held = lock;
        lock = null;
        if (held != null) {
            closeQuietly(held);
        }
    }
}
