package io.sparkcnn.driver.output;

import io.sparkcnn.driver.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A run folder on any Hadoop FileSystem, written atomically: files go into a hidden temporary sibling
 * ({@code .<name>._tmp-<id>}) and the folder is renamed into place only when complete, so readers never
 * see half a run. On failure {@link #abort()} removes the temporary folder.
 */
public final class RunFolder {
    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private boolean committed;

    private RunFolder(FileSystem fs, Path target, Path temp, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
    }

    /** Fails (exit code 2) when the target exists and overwrite is off; run before any work. */
    public static Path checkTarget(String uri, boolean overwrite, Configuration conf) {
        try {
            Path target = new Path(uri);
            FileSystem fs = target.getFileSystem(conf);
            Path qualified = fs.makeQualified(target);
            if (fs.exists(qualified) && !overwrite) {
                throw new InvalidInputException("output.path " + qualified + " already exists; choose another path or set"
                        + " output.overwrite = true");
            }
            return qualified;
        } catch (IOException e) {
            throw new InvalidInputException("output.path " + uri + " is not usable: " + e.getMessage(), e);
        }
    }

    public static RunFolder begin(String uri, boolean overwrite, Configuration conf) throws IOException {
        Path target = checkTarget(uri, overwrite, conf);
        FileSystem fs = target.getFileSystem(conf);
        Path temp = new Path(target.getParent(), "." + target.getName() + "._tmp-" + UUID.randomUUID());
        if (!fs.mkdirs(temp)) {
            throw new IOException("cannot create temporary run folder " + temp);
        }
        return new RunFolder(fs, target, temp, overwrite);
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
        return target;
    }

    /** Removes the temporary folder of an unfinished run. */
    public void abort() {
        if (committed) {
            return;
        }
        try {
            fs.delete(temp, true);
        } catch (IOException ignored) {
            // best effort: the folder is hidden and named as temporary
        }
    }
}
