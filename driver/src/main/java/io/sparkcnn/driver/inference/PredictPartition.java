package io.sparkcnn.driver.inference;

import io.sparkcnn.driver.eval.NetworkHolder;
import io.sparkcnn.workers.DecodeOutcome;
import io.sparkcnn.workers.FeatureScaling;
import io.sparkcnn.workers.ImageShape;
import io.sparkcnn.workers.LabeledImage;
import io.sparkcnn.workers.Minibatches;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Runs on executors: decoded images in, CSV lines out (header first), in input order. An image that could
 * not be decoded gets a row with its error and empty predictions instead of failing the task.
 */
final class PredictPartition implements FlatMapFunction<Iterator<DecodeOutcome>, String> {
    private static final long serialVersionUID = 1L;
    private static final int BATCH = 256;
    private final Broadcast<NetworkHolder> network;
    private final ImageShape shape;
    private final List<String> classNames;
    private final FeatureScaling scaling;

    PredictPartition(Broadcast<NetworkHolder> network, ImageShape shape, List<String> classNames, FeatureScaling scaling) {
        this.network = network;
        this.shape = shape;
        this.classNames = List.copyOf(classNames);
        this.scaling = scaling;
    }

    static String header(List<String> classNames) {
        StringBuilder h = new StringBuilder("path,predicted_class,probability,error");
        for (String c : classNames) {
            h.append(',').append(PredictRunner.csv("p_" + c));
        }
        return h.toString();
    }

    @Override
    public Iterator<String> call(Iterator<DecodeOutcome> outcomes) {
        List<String> lines = new ArrayList<>();
        lines.add(header(classNames));
        List<DecodeOutcome> batch = new ArrayList<>(BATCH);
        while (outcomes.hasNext()) {
            batch.add(outcomes.next());
            if (batch.size() == BATCH || !outcomes.hasNext()) {
                predict(batch, lines);
                batch.clear();
            }
        }
        return lines.iterator();
    }

    private void predict(List<DecodeOutcome> batch, List<String> lines) {
        List<LabeledImage> images = new ArrayList<>();
        for (DecodeOutcome o : batch) {
            if (o.isOk()) {
                images.add(new LabeledImage(o.image().id(), 0, o.image().pixels())); // labels are not known here
            }
        }
        float[][] probs = new float[0][];
        if (!images.isEmpty()) {
            MultiLayerNetwork net = network.value().get();
            probs = net.output(Minibatches.toDataSet(images, shape, classNames.size(), scaling).getFeatures(), false)
                    .toFloatMatrix();
        }
        int next = 0;
        for (DecodeOutcome o : batch) {
            StringBuilder line = new StringBuilder();
            if (o.isOk()) {
                float[] p = probs[next++];
                int best = 0;
                for (int c = 1; c < p.length; c++) {
                    if (p[c] > p[best]) {
                        best = c;
                    }
                }
                line.append(PredictRunner.csv(o.image().id())).append(',').append(PredictRunner.csv(classNames.get(best)))
                        .append(',').append(String.format(Locale.ROOT, "%.6f", p[best])).append(',');
                for (float v : p) {
                    line.append(',').append(String.format(Locale.ROOT, "%.6f", v));
                }
            } else {
                line.append(PredictRunner.csv(o.skippedId())).append(",,,").append(PredictRunner.csv(o.reason()));
                line.append(",".repeat(classNames.size()));
            }
            lines.add(line.toString());
        }
    }
}
