package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

/** Reading files through the Hadoop FileSystem whatever their names hold (camera and scraper output has colons). */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /**
     * Opens {@code path} for reading. The local file system's checksum layer names its side file
     * {@code .<name>.crc} and parses that as a URI, which fails with "Relative path in absolute URI" when the
     * name holds a colon ({@code 2026-11-27T12:30:00.png}); such a file is read from the raw file system
     * beneath it (it has no checksum file anyway: Hadoop could not have written one).
     */
    public static InputStream open(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        if (fs instanceof ChecksumFileSystem checksummed && path.getName().contains(":")) {
            return checksummed.getRawFileSystem().open(path);
        }
        return fs.open(path);
    }

    /**
     * The target of {@code path} when it is a symbolic link on the local file system whose target does not exist
     * (Hadoop's local listing drops such a link silently, and opening it says only "does not exist").
     */
    public static java.util.Optional<String> danglingLinkTarget(Path path) {
        try {
            if (!"file".equals(path.toUri().getScheme())) {
                return java.util.Optional.empty();
            }
            java.nio.file.Path p = java.nio.file.Paths.get(path.toUri());
            if (java.nio.file.Files.isSymbolicLink(p) && !java.nio.file.Files.exists(p)) {
                return java.util.Optional.of(java.nio.file.Files.readSymbolicLink(p).toString());
            }
        } catch (IOException | RuntimeException e) {
            // not a local path we can inspect
        }
        return java.util.Optional.empty();
    }

    /** The skip reason of a dangling symbolic link. */
    public static String danglingLinkReason(String target) {
        return "dangling symbolic link: its target " + target + " does not exist";
    }

    /** The status of {@code path}; a missing one is bad input named as {@code option} gave it (exit 2). */
    public static FileStatus existing(FileSystem fs, Path path, String option) throws IOException {
        try {
            return fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new InvalidInputException(option + " " + path + " does not exist");
        }
    }
}
