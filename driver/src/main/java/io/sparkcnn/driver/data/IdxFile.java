package io.sparkcnn.driver.data;

import io.sparkcnn.driver.common.Hashing;
import io.sparkcnn.driver.common.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;

/**
 * An IDX file (the MNIST / Fashion-MNIST format), gzipped or not, read whole through the Hadoop
 * FileSystem. The header (magic, unsigned-byte type, dimensions) must match the file's length exactly.
 */
public record IdxFile(String uri, int[] dims, byte[] data, byte[] sha256) {

    private static final int UBYTE = 0x08;

    public int count() {
        return dims[0];
    }

    /** Bytes per item: the product of all dimensions but the first. */
    public int itemSize() {
        int size = 1;
        for (int i = 1; i < dims.length; i++) {
            size *= dims[i];
        }
        return size;
    }

    public static IdxFile read(String uri, Configuration conf) {
        Path path = new Path(uri);
        byte[] raw;
        try {
            try (InputStream in = new BufferedInputStream(HadoopFiles.open(path, conf))) {
                raw = in.readAllBytes();
            }
        } catch (FileNotFoundException e) {
            throw new InvalidInputException("IDX file not found: " + uri);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read IDX file " + uri + ": " + e.getMessage(), e);
        }
        byte[] sha = Hashing.sha256(raw);
        byte[] bytes = raw;
        if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1F && (raw[1] & 0xFF) == 0x8B) {
            try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
                gz.transferTo(out);
                bytes = out.toByteArray();
            } catch (IOException e) {
                throw new InvalidInputException("IDX file " + uri + " is not a readable gzip stream (truncated?): " + e.getMessage(), e);
            }
        }
        return parse(uri, bytes, sha);
    }

    static IdxFile parse(String uri, byte[] bytes, byte[] sha) {
        if (bytes.length < 4) {
            throw new InvalidInputException("IDX file " + uri + " is too short for a header (" + bytes.length + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes); // IDX is big-endian, ByteBuffer's default
        int magic = buf.getInt();
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xFF) != UBYTE) {
            throw new InvalidInputException(String.format("IDX file %s has magic 0x%08X; expected 0x000008NN (unsigned bytes)",
                    uri, magic));
        }
        int rank = magic & 0xFF;
        if (rank < 1 || rank > 4) {
            throw new InvalidInputException("IDX file " + uri + " declares " + rank + " dimensions; expected 1 to 4");
        }
        if (bytes.length < 4 + 4 * rank) {
            throw new InvalidInputException("IDX file " + uri + " is too short for its " + rank + "-dimension header");
        }
        int[] dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = buf.getInt();
            if (dims[i] < 0) {
                throw new InvalidInputException("IDX file " + uri + " has a negative dimension " + dims[i]);
            }
            expected *= dims[i];
        }
        long header = 4L + 4L * rank;
        if (bytes.length - header != expected) {
            throw new InvalidInputException("IDX file " + uri + ": header says " + java.util.Arrays.toString(dims) + " = "
                    + expected + " data bytes but the file holds " + (bytes.length - header));
        }
        byte[] data = java.util.Arrays.copyOfRange(bytes, (int) header, bytes.length);
        return new IdxFile(uri, dims, data, sha);
    }
}
