package io.sparkcnn.driver.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;

import java.io.IOException;
import java.net.URI;
import java.util.function.Predicate;

/**
 * The local file system under the scheme {@code flaky:///}, whose open and create fail (a RuntimeException, as a
 * broken disk or client bug would, not an IOException a reader handles) for the paths a test names: a job failing
 * midway, on the driver or in an executor task (local Spark runs tasks in this JVM).
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
    public static volatile Predicate<Path> failOpen = p -> false;
    public static volatile Predicate<Path> failCreate = p -> false;

    /** Registers the scheme in {@code conf} (before a SparkContext's conf is broadcast to tasks). */
    public static void register(Configuration conf) {
        conf.set("fs.flaky.impl", FlakyFileSystem.class.getName());
        conf.setBoolean("fs.flaky.impl.disable.cache", true);
    }

    /** {@code flaky://} form of a local path. */
    public static String uri(java.nio.file.Path local) {
        return "flaky://" + local.toAbsolutePath().toUri().getPath();
    }

    public static void reset() {
        failOpen = p -> false;
        failCreate = p -> false;
    }

    @Override
    public URI getUri() {
        return URI.create("flaky:///");
    }

    @Override
    public String getScheme() {
        return "flaky";
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        if (failOpen.test(f)) {
            throw new IllegalStateException("simulated failure reading " + f);
        }
        return super.open(f, bufferSize);
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        if (failCreate.test(f)) {
            throw new IllegalStateException("simulated failure writing " + f);
        }
        return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                     Progressable progress) throws IOException {
        if (failCreate.test(f)) {
            throw new IllegalStateException("simulated failure writing " + f);
        }
        return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
    }
}
