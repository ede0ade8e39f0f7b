package io.sparkcnn.workers.model;

import io.sparkcnn.workers.ImageShape;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A Keras-style {@code model.summary()}: layer, output shape (channels last, as Keras prints) and parameters. */
public record ModelSummary(List<Row> rows, long totalParams, long trainableParams) {

    /** One layer's line. */
    public record Row(String name, String type, String outputShape, long params) {
    }

    public static ModelSummary of(MultiLayerNetwork net, List<LayerSpec> specs, ImageShape input) {
        List<InputType> types = net.getLayerWiseConfigurations()
                .getLayerActivationTypes(InputType.convolutional(input.height(), input.width(), input.channels()));
        List<Row> rows = new ArrayList<>();
        Map<String, Integer> counters = new HashMap<>();
        long total = 0;
        long nonTrainable = 0;
        for (int i = 0; i < specs.size(); i++) {
            String type = kerasType(specs.get(i));
            int n = counters.merge(type, 1, Integer::sum);
            String name = snake(type) + "_" + n;
            long params = net.getLayer(i).numParams();
            total += params;
            // Keras counts batch norm's moving mean and variance as non-trainable
            for (var e : net.getLayer(i).paramTable().entrySet()) {
                String key = e.getKey();
                if (key.equals("mean") || key.equals("var") || key.equals("log10stdev")) {
                    nonTrainable += e.getValue().length();
                }
            }
            rows.add(new Row(name, type, shape(types.get(i)), params));
        }
        return new ModelSummary(List.copyOf(rows), total, total - nonTrainable);
    }

    private static String kerasType(LayerSpec spec) {
        if (spec instanceof LayerSpec.Conv2D) {
            return "Conv2D";
        }
        if (spec instanceof LayerSpec.Pool p) {
            return p.type() == LayerSpec.PoolType.MAX ? "MaxPooling2D" : "AveragePooling2D";
        }
        if (spec instanceof LayerSpec.BatchNorm) {
            return "BatchNormalization";
        }
        if (spec instanceof LayerSpec.Dropout) {
            return "Dropout";
        }
        if (spec instanceof LayerSpec.Dense) {
            return "Dense";
        }
        return "Output";
    }

    private static String snake(String type) {
        return type.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT)
                .replace("conv2_d", "conv2d").replace("pooling2_d", "pooling2d");
    }

    private static String shape(InputType t) {
        if (t instanceof InputType.InputTypeConvolutional c) {
            return "(None, " + c.getHeight() + ", " + c.getWidth() + ", " + c.getChannels() + ")";
        }
        if (t instanceof InputType.InputTypeFeedForward f) {
            return "(None, " + f.getSize() + ")";
        }
        return t.toString();
    }

    /** The table as Keras prints it. */
    public String render() {
        int w1 = "Layer (type)".length();
        int w2 = "Output Shape".length();
        for (Row r : rows) {
            w1 = Math.max(w1, r.name().length() + r.type().length() + 3);
            w2 = Math.max(w2, r.outputShape().length());
        }
        w1 += 4;
        w2 += 4;
        int width = w1 + w2 + 12;
        String line = "_".repeat(width) + "\n";
        StringBuilder sb = new StringBuilder("Model: \"sequential\"\n").append(line);
        sb.append(String.format(Locale.ROOT, "%-" + w1 + "s%-" + w2 + "s%s%n", "Layer (type)", "Output Shape", "Param #"));
        sb.append("=".repeat(width)).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(String.format(Locale.ROOT, "%-" + w1 + "s%-" + w2 + "s%,d%n", r.name() + " (" + r.type() + ")",
                    r.outputShape(), r.params()));
            sb.append(i == rows.size() - 1 ? "=".repeat(width) + "\n" : line);
        }
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", totalParams));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainableParams));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", totalParams - trainableParams));
        sb.append("_".repeat(width)).append('\n');
        return sb.toString();
    }
}
