package io.sparkcnn.driver.output;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of files and byte arrays, in hex, for checkpoint and model integrity. */
public final class Sha256 {
    private Sha256() {
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 in hex of a file on any Hadoop FileSystem, streamed. */
    public static String ofFile(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path file)
            throws java.io.IOException {
        MessageDigest digest = digest();
        try (java.io.InputStream in = new java.security.DigestInputStream(fs.open(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }
}
