package io.sparkcnn.driver.data;

import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.ImageDecodeException;
import io.sparkcnn.workers.ImageDecoder;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.SampleRef;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Runs on executors: reads each image through the Hadoop FileSystem and decodes it to the network's
 * shape, or takes the record out of an IDX file (read once per partition). Failures become "skipped"
 * outcomes instead of failing the task.
 */
public final class DecodePartition implements FlatMapFunction<Iterator<SampleRef>, DecodeOutcome> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<HadoopConfHolder> hadoopConf;
    private final ImageShape shape;
    private final long maxImagePixels;

    DecodePartition(Broadcast<HadoopConfHolder> hadoopConf, ImageShape shape, long maxImagePixels) {
        this.hadoopConf = hadoopConf;
        this.shape = shape;
        this.maxImagePixels = maxImagePixels;
    }

    @Override
    public Iterator<DecodeOutcome> call(Iterator<SampleRef> refs) {
        Map<String, IdxFile> idxFiles = new HashMap<>(); // each IDX file is read once per partition
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return refs.hasNext();
            }

            @Override
            public DecodeOutcome next() {
                return decode(refs.next(), idxFiles);
            }
        };
    }

    DecodeOutcome decode(SampleRef ref, Map<String, IdxFile> idxFiles) {
        return decode(ref, idxFiles, hadoopConf.value().get(), shape, maxImagePixels);
    }

    /** What one executor does per image, with the default pixel limit. */
    public static DecodeOutcome decode(SampleRef ref, Map<String, IdxFile> idxFiles,
                                       org.apache.hadoop.conf.Configuration conf, ImageShape shape) {
        return decode(ref, idxFiles, conf, shape, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /**
     * What one executor does per image, callable without Spark (the benchmark's data-path figure uses it). An
     * image whose header declares more than {@code maxImagePixels} pixels is skipped before it is decoded.
     */
    public static DecodeOutcome decode(SampleRef ref, Map<String, IdxFile> idxFiles,
                                       org.apache.hadoop.conf.Configuration conf, ImageShape shape, long maxImagePixels) {
        if (ref.isIdxRecord()) {
            IdxFile file = idxFiles.computeIfAbsent(ref.idxUri(), uri -> IdxFile.read(uri, conf));
            int size = file.itemSize();
            byte[] raw = new byte[size];
            System.arraycopy(file.data(), ref.idxIndex() * size, raw, 0, size);
            byte[] px = ImageDecoder.convert(raw, 1, file.dims()[1], file.dims()[2], shape);
            return DecodeOutcome.ok(new LabeledImage(ref.id(), ref.label(), px));
        }
        byte[] encoded;
        try {
            try (InputStream in = HadoopFiles.open(new Path(ref.id()), conf)) {
                encoded = in.readAllBytes();
            }
        } catch (IOException e) {
            return DecodeOutcome.skipped(ref.id(), HadoopFiles.danglingLinkTarget(new Path(ref.id()))
                    .map(HadoopFiles::danglingLinkReason).orElse("cannot read: " + e.getMessage()));
        }
        try {
            byte[] pixels = ImageDecoder.decodeTo(encoded, shape, maxImagePixels);
            return DecodeOutcome.ok(new LabeledImage(ref.id(), ref.label(), pixels));
        } catch (ImageDecodeException e) {
            return DecodeOutcome.skipped(ref.id(), e.getMessage());
        }
    }
}
