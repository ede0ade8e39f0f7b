package io.sparkcnn.driver.output;

import io.sparkcnn.driver.common.InvalidInputException;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Vets a model.zip before DL4J's ModelSerializer reads it, with the same reader DL4J uses (ZipInputStream,
 * entry by entry), so both see the same entries. DL4J 1.0.0-M2.1 trusts the file: it reads every entry
 * whole into memory (a zip bomb fills the heap), Java-deserializes {@value #PREPROCESSOR_BIN} (any class on
 * the classpath gets instantiated) and, for a normalizer of type CUSTOM, loads and instantiates a class named
 * in {@value #NORMALIZER_BIN}. Anything outside the limits below is refused with an {@link InvalidInputException}
 * naming the file and the entry. A preprocessor that passes the allow-list filter is then deserialized again
 * by DL4J from the same bytes (and discarded: a MultiLayerNetwork has no use for it), so only allowed classes
 * are ever instantiated.
 */
public final class ModelZipCheck {
    static final String PREPROCESSOR_BIN = "preprocessor.bin";
    static final String NORMALIZER_BIN = "normalizer.bin";
    /** Java arrays, hence DL4J's in-memory entries, end just below 2^31 bytes. */
    private static final long LARGEST_ARRAY = Integer.MAX_VALUE - 8;

    /** Bounds on a model.zip: entries, and uncompressed bytes in total (each entry must also fit in an array). */
    public record Limits(int maxEntries, long maxTotalBytes) {
        /** 2 GiB in at most 1000 entries: DL4J holds all of it in memory; our models have four or five entries. */
        public static final Limits DEFAULT = new Limits(1000, 2L << 30);
    }

    /** Limits of the Java deserialization of {@value #PREPROCESSOR_BIN}: a preprocessor is a few small fields. */
    static final int MAX_DEPTH = 20;
    static final long MAX_REFERENCES = 10_000;
    static final long MAX_ARRAY_LENGTH = 10_000_000;
    static final long MAX_SERIALIZED_BYTES = 64L << 20;

    private ModelZipCheck() {
    }

    /** Refuses {@code local} (shown to the user as {@code shownAs}) unless it keeps every limit. */
    public static void check(Path local, String shownAs, Limits limits) throws IOException {
        Set<String> names = new HashSet<>();
        long total = 0;
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(local)))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                String name = entry.getName();
                if (++entries > limits.maxEntries()) {
                    throw refused(shownAs, "it holds more than " + limits.maxEntries()
                            + " entries (a DL4J model has a handful)");
                }
                if (!names.add(name)) {
                    // DL4J keeps the last copy, a zip tool shows the first: which one is the model would be ambiguous
                    throw refused(shownAs, "entry '" + name + "' appears twice");
                }
                if (entry.isDirectory()) {
                    throw refused(shownAs, "entry '" + name + "' is a folder; a DL4J model.zip holds only files");
                }
                long budget = Math.min(limits.maxTotalBytes() - total, LARGEST_ARRAY);
                if (entry.getSize() > budget) {
                    throw refused(shownAs, "entry '" + name + "' declares " + entry.getSize() + " bytes uncompressed;"
                            + " a model.zip may hold at most " + limits.maxTotalBytes() + " bytes"
                            + (total > 0 ? " in total (the entries before it hold " + total + ")" : ""));
                }
                BoundedEntry in = new BoundedEntry(zip, shownAs, name, budget, limits.maxTotalBytes(), total);
                if (name.equals(PREPROCESSOR_BIN)) {
                    checkDeserializable(in, shownAs, name);
                } else if (name.equals(NORMALIZER_BIN)) {
                    checkNormalizerHeader(in, shownAs, name);
                }
                in.transferTo(OutputStream.nullOutputStream()); // the rest of the entry, counted
                total += in.count;
            }
        } catch (EntryTooLargeException e) {
            throw e.refusal;
        }
    }

    /** Deserializes the entry through an allow-list filter; only DL4J data-set preprocessors and their fields pass. */
    private static void checkDeserializable(BoundedEntry in, String shownAs, String name) throws IOException {
        Class<?>[] rejected = new Class<?>[1];
        ObjectInputFilter filter = info -> {
            if (info.depth() > MAX_DEPTH || info.references() > MAX_REFERENCES
                    || info.streamBytes() > MAX_SERIALIZED_BYTES || info.arrayLength() > MAX_ARRAY_LENGTH) {
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> c = info.serialClass();
            if (c == null || allowed(c)) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            rejected[0] = c;
            return ObjectInputFilter.Status.REJECTED;
        };
        Object read;
        try {
            ObjectInputStream objects = new ObjectInputStream(in);
            objects.setObjectInputFilter(filter);
            read = objects.readObject();
        } catch (EntryTooLargeException e) {
            throw e;
        } catch (InvalidClassException e) {
            if (rejected[0] != null) {
                throw refused(shownAs, "entry '" + name + "' holds a " + rejected[0].getName() + ", which may not be"
                        + " deserialized (only DL4J data-set preprocessors and their primitive fields may)");
            }
            if (String.valueOf(e.getMessage()).contains("filter status")) {
                throw refused(shownAs, "entry '" + name + "' exceeds the deserialization limits (depth " + MAX_DEPTH
                        + ", references " + MAX_REFERENCES + ", array length " + MAX_ARRAY_LENGTH + ", bytes "
                        + MAX_SERIALIZED_BYTES + ")");
            }
            throw refused(shownAs, "entry '" + name + "' is not readable Java-serialized data: " + e);
        } catch (ClassNotFoundException | IOException | RuntimeException e) {
            throw refused(shownAs, "entry '" + name + "' is not readable Java-serialized data: " + e);
        }
        if (!(read instanceof DataSetPreProcessor)) {
            throw refused(shownAs, "entry '" + name + "' holds " + (read == null ? "null" : "a " + read.getClass().getName())
                    + ", not a DL4J data-set preprocessor");
        }
    }

    /** What may be instantiated while deserializing a preprocessor. */
    static boolean allowed(Class<?> c) {
        while (c.isArray()) {
            c = c.getComponentType();
        }
        if (c.isPrimitive() || c == String.class || c == Boolean.class || c == Character.class || c == Number.class
                || c == Enum.class) {
            return true;
        }
        String name = c.getName();
        if (Number.class.isAssignableFrom(c) && name.startsWith("java.lang.")) {
            return true; // Integer, Double, ...
        }
        return name.startsWith("org.nd4j.linalg.dataset.")
                && (DataSetPreProcessor.class.isAssignableFrom(c) || c.isEnum());
    }

    /** DL4J's NormalizerSerializer loads and instantiates the class a CUSTOM header names: refuse that type. */
    private static void checkNormalizerHeader(BoundedEntry in, String shownAs, String name) throws IOException {
        DataInputStream data = new DataInputStream(in);
        try {
            if (!data.readUTF().equals("NORMALIZER") || data.readInt() != 1) {
                return; // not the format DL4J writes: DL4J's own error says so
            }
            String type = data.readUTF();
            if (type.equals("CUSTOM")) {
                throw refused(shownAs, "entry '" + name + "' declares a CUSTOM normalizer, whose class DL4J would load and"
                        + " instantiate by name; only DL4J's built-in normalizers are accepted");
            }
        } catch (java.io.EOFException | java.io.UTFDataFormatException e) {
            // too short or garbled: DL4J's own error says so
        }
    }

    static InvalidInputException refused(String shownAs, String why) {
        return new InvalidInputException(shownAs + " refused: " + why);
    }

    /** The current entry's bytes, counted; reading past the budget refuses the file. */
    private static final class BoundedEntry extends FilterInputStream {
        private final String shownAs;
        private final String name;
        private final long budget;
        private final long maxTotal;
        private final long before;
        long count;

        BoundedEntry(InputStream entry, String shownAs, String name, long budget, long maxTotal, long before) {
            super(entry);
            this.shownAs = shownAs;
            this.name = name;
            this.budget = budget;
            this.maxTotal = maxTotal;
            this.before = before;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, (int) Math.min(length, budget - count + 1));
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.max(0, Math.min(8192, n))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped)); // counted like any read
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public void close() {
            // the zip stream goes on to the next entry
        }

        private void counted(long n) throws EntryTooLargeException {
            count += n;
            if (count > budget) {
                throw new EntryTooLargeException(refused(shownAs, "entry '" + name + "' inflates to more than " + budget
                        + " bytes; a model.zip may hold at most " + maxTotal + " bytes uncompressed"
                        + (before > 0 ? " in total (the entries before it hold " + before + ")" : "")));
            }
        }
    }

    /** Carries the refusal through code that only lets IOExceptions out (ObjectInputStream, transferTo). */
    private static final class EntryTooLargeException extends IOException {
        final InvalidInputException refusal;

        EntryTooLargeException(InvalidInputException refusal) {
            super(refusal.getMessage());
            this.refusal = refusal;
        }
    }

}
