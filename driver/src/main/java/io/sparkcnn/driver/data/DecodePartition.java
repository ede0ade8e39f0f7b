package io.sparkcnn.driver.data;

import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.ImageDecodeException;
import io.sparkcnn.workers.ImageDecoder;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.SampleRef;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * Runs on executors: reads each image through the Hadoop FileSystem and decodes it to the network's
 * shape, or converts inline IDX pixels. Failures become "skipped" outcomes instead of failing the task.
 */
final class DecodePartition implements FlatMapFunction<Iterator<SampleRef>, DecodeOutcome> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<HadoopConfHolder> hadoopConf;
    private final ImageShape shape;

    DecodePartition(Broadcast<HadoopConfHolder> hadoopConf, ImageShape shape) {
        this.hadoopConf = hadoopConf;
        this.shape = shape;
    }

    @Override
    public Iterator<DecodeOutcome> call(Iterator<SampleRef> refs) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return refs.hasNext();
            }

            @Override
            public DecodeOutcome next() {
                return decode(refs.next());
            }
        };
    }

    DecodeOutcome decode(SampleRef ref) {
        if (ref.isInline()) {
            byte[] px = ImageDecoder.convert(ref.inlinePixels(), ref.inlineChannels(), ref.inlineHeight(),
                    ref.inlineWidth(), shape);
            return DecodeOutcome.ok(new LabeledImage(ref.id(), ref.label(), px));
        }
        byte[] encoded;
        try {
            Path path = new Path(ref.id());
            FileSystem fs = path.getFileSystem(hadoopConf.value().get());
            try (InputStream in = fs.open(path)) {
                encoded = in.readAllBytes();
            }
        } catch (IOException e) {
            return DecodeOutcome.skipped(ref.id(), "cannot read: " + e.getMessage());
        }
        try {
            return DecodeOutcome.ok(new LabeledImage(ref.id(), ref.label(), ImageDecoder.decodeTo(encoded, shape)));
        } catch (ImageDecodeException e) {
            return DecodeOutcome.skipped(ref.id(), e.getMessage());
        }
    }
}
