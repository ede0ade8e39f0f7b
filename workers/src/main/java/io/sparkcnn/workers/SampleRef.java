package io.sparkcnn.workers;

import java.io.Serializable;
import java.util.Objects;

/**
 * One labelled example as the driver hands it to the workers: an image file to read and decode, or a
 * record of an IDX images file. Only the reference travels; the worker reads the bytes itself through
 * the Hadoop FileSystem, so tasks stay small whatever the dataset's size.
 */
public final class SampleRef implements Serializable {
    private static final long serialVersionUID = 2L;

    private final String id;
    private final int label;
    private final String idxUri;
    private final int idxIndex;

    private SampleRef(String id, int label, String idxUri, int idxIndex) {
        this.id = Objects.requireNonNull(id, "id");
        this.label = label;
        this.idxUri = idxUri;
        this.idxIndex = idxIndex;
    }

    /** An image file to be read through the Hadoop FileSystem and decoded on a worker. */
    public static SampleRef file(String uri, int label) {
        return new SampleRef(uri, label, null, -1);
    }

    /** Record {@code index} of an IDX images file. */
    public static SampleRef idxRecord(String fileUri, int index, int label) {
        return new SampleRef(fileUri + "#" + index, label, Objects.requireNonNull(fileUri), index);
    }

    /** The same sample under another label (e.g. renumbered to a model's class order). */
    public SampleRef withLabel(int newLabel) {
        return new SampleRef(id, newLabel, idxUri, idxIndex);
    }

    /** The file URI, or for IDX records the file URI and "#" and the record number. */
    public String id() {
        return id;
    }

    public int label() {
        return label;
    }

    public boolean isIdxRecord() {
        return idxUri != null;
    }

    public String idxUri() {
        return idxUri;
    }

    public int idxIndex() {
        return idxIndex;
    }
}
