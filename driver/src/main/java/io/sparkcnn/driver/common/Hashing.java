package io.sparkcnn.driver.common;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one SHA-256 helper: file and byte hashes (hex) for checkpoints and models, incremental fingerprints
 * for datasets and configs, and the {@code "sha256:<hex>"} label every JSON output writes them with.
 */
public final class Hashing {
    /** How a hash is written in our JSON files: {@code sha256:<64 hex digits>}. */
    public static final String LABEL_PREFIX = "sha256:";

    private final MessageDigest digest = digest();

    private Hashing() {
    }

    /** An incremental fingerprint; strings are separated by a NUL, so ("ab","c") differs from ("a","bc"). */
    public static Hashing fingerprint() {
        return new Hashing();
    }

    public Hashing add(String s) {
        digest.update(s.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        return this;
    }

    public Hashing add(byte[] bytes) {
        digest.update(bytes);
        return this;
    }

    /** The fingerprint so far, as {@code sha256:<hex>}; ends this fingerprint. */
    public String label() {
        return label(HexFormat.of().formatHex(digest.digest()));
    }

    /** {@code sha256:<hex>} for a hex digest. */
    public static String label(String hex) {
        return LABEL_PREFIX + hex;
    }

    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256(bytes));
    }

    public static String hex(MessageDigest finished) {
        return HexFormat.of().formatHex(finished.digest());
    }

    /** SHA-256 in hex of a file on any Hadoop FileSystem, streamed. */
    public static String ofFile(FileSystem fs, Path file) throws IOException {
        MessageDigest digest = digest();
        try (InputStream in = new DigestInputStream(fs.open(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return hex(digest);
    }
}
